// File ▸ Export in the window (issue 12, item 7), under Xvfb: a project with the pydicom CT
// series and skimage's camera, a prediction and a review, exported through the window's Export
// menu as jobs in the Jobs panel. The PDF is read back with pdftotext and its first page
// rendered with pdftoppm (build/test-output/ui/export-report-page-1.png) beside the window's
// screenshot (export-window.png), for a person to look at.

#include <gtest/gtest.h>

#include <QAction>
#include <QApplication>
#include <QElapsedTimer>
#include <QMenu>
#include <QTableWidget>

#include <array>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <stdexcept>

#include "VolumeTestSupport.hpp"
#include "WorkstationTestSupport.hpp"
#include "meridian/project/ProjectStore.hpp"
#include "meridian/ui/CaseBrowser.hpp"
#include "meridian/ui/ExportMenu.hpp"
#include "meridian/ui/JobsPanel.hpp"
#include "meridian/ui/MainWindow.hpp"
#include "RunCommand.hpp"

namespace fs = std::filesystem;
using namespace meridian;

namespace {
const fs::path kOut = MERIDIAN_TEST_OUTPUT;
const fs::path kSeries = "/usr/lib/python3/dist-packages/pydicom/data/test_files/dicomdirtests/98892001/CT5N";
const fs::path kCamera = "/usr/lib/python3/dist-packages/skimage/data/camera.png";
const std::string kSha = "4f1c0c2d3e4a5b6c7d8e9f00112233445566778899aabbccddeeff0011223344";

using testsupport::waitUntil;

std::string run(const std::string& command, int& rc) { return test::runCommand(command, rc); }

const ui::ExportChoice& choice(report::ExportFormat format, ui::ExportScope scope) {
  for (const auto& c : ui::exportChoices())
    if (c.format == format && c.scope == scope && !c.hidePatient) return c;
  throw std::logic_error("no such export choice");
}

/// Runs an export through the window's menu object and waits for the job's end.
std::pair<bool, QString> exportAndWait(ui::MainWindow& window, const ui::ExportChoice& c, const fs::path& out) {
  bool finished = false, ok = false;
  QString text;
  auto connection = QObject::connect(window.exportMenu(), &ui::ExportMenu::exportFinished, [&](bool success, QString t) {
    finished = true;
    ok = success;
    text = t;
  });
  auto started = window.exportMenu()->exportTo(c, out);
  EXPECT_TRUE(started) << started.error().message;
  if (started) EXPECT_TRUE(waitUntil([&] { return finished; }));
  QObject::disconnect(connection);
  return {ok, text};
}
}  // namespace

TEST(ExportMenu, ExportsTheProjectAndTheCaseAsJobsFromTheFileMenu) {
  const fs::path dir = kOut / "export-menu";
  fs::remove_all(dir);
  fs::create_directories(dir);
  ui::MainWindow window;
  ASSERT_TRUE(testsupport::showExposed(window, 1400, 900));
  QMenu* menu = window.exportMenu()->menu();
  ASSERT_NE(menu, nullptr);
  EXPECT_FALSE(menu->isEnabled()) << "Export needs a project";
  EXPECT_EQ(menu->actions().size(), static_cast<int>(ui::exportChoices().size()));

  ASSERT_TRUE(window.newProject(dir / "project").ok());
  EXPECT_TRUE(menu->isEnabled());
  ui::CaseBrowser* cases = window.caseBrowser();
  auto job = cases->addPaths({kSeries, kCamera});
  ASSERT_TRUE(job);
  ASSERT_TRUE(waitUntil([&] { return cases->order().size() == 2; }));
  project::ProjectStore& store = *cases->store();
  project::CaseId series = 0, camera = 0;
  const auto listed = store.listCases().value();
  for (const auto& c : listed) (c.seriesUid.empty() ? camera : series) = c.id;
  project::ModelRun modelRun;
  modelRun.task = "inference";
  modelRun.modelName = "vit-window-test";
  modelRun.weightsSha256 = kSha;
  const auto runId = store.startModelRun(modelRun).value();
  for (const auto& [id, tumour] : {std::pair{series, 0.875}, std::pair{camera, 0.25}}) {
    project::Prediction p;
    p.caseId = id;
    p.runId = runId;
    p.weightsSha256 = kSha;
    p.outputsJson = "{\"normal\": " + std::to_string(1 - tumour) + ", \"tumour\": " + std::to_string(tumour) + "}";
    ASSERT_TRUE(store.addPrediction(p));
  }
  project::ReviewDecision d;
  d.caseId = camera;
  d.decision = "accept";
  d.reviewer = "Dr. Window";
  ASSERT_TRUE(store.addReview(d));

  // A case export with no case selected is refused at once, with what to do.
  auto refused = window.exportMenu()->exportTo(choice(report::ExportFormat::Sr, ui::ExportScope::CurrentCase),
                                               dir / "never.dcm");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("select a case"), std::string::npos);

  // The project's PDF report, as a job.
  const fs::path pdf = dir / "project-report.pdf";
  auto [ok, text] = exportAndWait(window, choice(report::ExportFormat::Pdf, ui::ExportScope::Project), pdf);
  ASSERT_TRUE(ok) << text.toStdString();
  EXPECT_NE(text.toStdString().find("Exported 2 case(s) as pdf"), std::string::npos) << text.toStdString();
  int rc = -1;
  const std::string pdfText = run("pdftotext -layout '" + pdf.string() + "' -", rc);
  ASSERT_EQ(rc, 0) << pdfText;
  EXPECT_EQ(pdfText.find("Doe^Peter"), std::string::npos) << "pydicom's series is marked de-identified";
  for (const std::string want : {std::string("de-identified"), kSha, std::string("Dr. Window"),
                                 std::string("vit-window-test"), std::string("RESEARCH USE ONLY")})
    EXPECT_NE(pdfText.find(want), std::string::npos) << "the PDF lacks '" << want << "'";
  const std::string page = (kOut / "export-report-page").string();
  run("pdftoppm -r 70 -png -f 1 -l 1 '" + pdf.string() + "' '" + page + "'", rc);
  EXPECT_EQ(rc, 0);
  EXPECT_TRUE(fs::exists(page + "-1.png"));
  std::cout << "rendered page: " << page << "-1.png\n";

  // The selected case's SR, then the project's CSV.
  cases->selectCase(series);
  ASSERT_TRUE(waitUntil([&] { return cases->currentCase() == series; }));
  auto sr = exportAndWait(window, choice(report::ExportFormat::Sr, ui::ExportScope::CurrentCase), dir / "case.dcm");
  ASSERT_TRUE(sr.first) << sr.second.toStdString();
  const std::string dump = run("dsrdump '" + (dir / "case.dcm").string() + "'", rc);
  EXPECT_NE(dump.find("Probability of tumour"), std::string::npos) << dump;
  auto csv = exportAndWait(window, choice(report::ExportFormat::Csv, ui::ExportScope::Project), dir / "p.csv");
  ASSERT_TRUE(csv.first) << csv.second.toStdString();

  // The Jobs panel lists the three exports as succeeded; the audit trail has them and verifies.
  QTableWidget* jobs = window.jobsPanel()->table();
  int exportsShown = 0;
  for (int r = 0; r < jobs->rowCount(); ++r)
    if (jobs->item(r, 0) && jobs->item(r, 0)->text().startsWith(QStringLiteral("Export"))) ++exportsShown;
  EXPECT_EQ(exportsShown, 3);
  int recorded = 0;
  const auto events = store.events().value();
  for (const auto& e : events) recorded += e.kind == "export";
  EXPECT_EQ(recorded, 3);
  EXPECT_TRUE(store.verifyEvents().value().intact);

  window.jobsPanel()->show();
  for (int i = 0; i < 20; ++i) QApplication::processEvents();
  const fs::path shot = kOut / "export-window.png";
  ASSERT_TRUE(window.grab().save(QString::fromStdString(shot.string()), "PNG"));
  std::cout << "screenshot: " << shot.string() << "\n";
}
