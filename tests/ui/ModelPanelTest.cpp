// The model inside the window (issue 11, items 1, 2, 6, 7), under Xvfb with real data: the
// bundled model's card; runs on a 2D image, a CT volume (per-slice curve linked to the slice)
// and a slide (heatmap on the slide viewer) stored in the project; rollout on the CT and CLS
// attention on the slide through the overlay dock; bad model folders refused with a message
// in the panel and the project unchanged; stored predictions shown again after reopening,
// without the model. Screenshots: build/test-output/ui/model-*.png. Each TEST is its own
// CTest entry and process (one Xvfb each), so each stays short.

#include <gtest/gtest.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QPushButton>
#include <QTableWidget>
#include <QTest>
#include <QTextBrowser>
#include <QTimer>
#include <QTreeWidget>
#include <QTreeWidgetItemIterator>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "WorkstationTestSupport.hpp"
#include "meridian/project/ProjectStore.hpp"
#include "meridian/service/BundledModel.hpp"
#include "meridian/ui/CaseBrowser.hpp"
#include "meridian/ui/MainWindow.hpp"
#include "meridian/ui/ModelPanel.hpp"
#include "meridian/ui/PreferencesStore.hpp"
#include "meridian/ui/SliceCurveView.hpp"
#include "meridian/ui/WindowStatus.hpp"
#include "meridian/viewers/ImageViewer2D.hpp"
#include "meridian/viewers/OverlayPanel.hpp"
#include "meridian/viewers/SlideViewer.hpp"
#include "meridian/viewers/VolumeViewer.hpp"

namespace fs = std::filesystem;
using namespace meridian;
using viewers::ViewerKind;

namespace {
const fs::path kDemo = testsupport::kDemoData;
const fs::path kOut = testsupport::kUiOutput;
using testsupport::waitUntil;

void shot(ui::MainWindow& window, const std::string& name) { testsupport::screenshot(window, name); }

/// A window with a new project holding `paths`, the model dock raised.
struct Session {
  ui::MainWindow window;
  ui::ModelPanel* panel = nullptr;
  std::vector<project::CaseId> ids;

  explicit Session(const std::string& name, const std::vector<fs::path>& paths) {
    EXPECT_TRUE(testsupport::showExposed(window, 1700, 1000));
    testsupport::newProjectWith(window, kOut / name, paths);
    EXPECT_EQ(window.caseBrowser()->order().size(), paths.size());
    ids = window.caseBrowser()->order();
    panel = window.modelPanel();
    panel->show();
    panel->raise();
  }

  /// Runs a panel action and waits for its job; false when it could not start or failed.
  bool run(const core::Result<core::JobId>& started) {
    if (!started) {
      ADD_FAILURE() << started.error().message;
      return false;
    }
    bool ok = false, ended = false;
    auto c = QObject::connect(panel, &ui::ModelPanel::jobEnded, [&](bool success) { ok = success, ended = true; });
    EXPECT_TRUE(waitUntil([&] { return ended; }, 120000));
    QObject::disconnect(c);
    return ok;
  }

  bool loadBundled() { return run(panel->loadModel(*service::bundledModelFolder())); }

  /// Opens the case of `id` (the panel shows its stored outputs).
  void open(project::CaseId id) {
    window.caseBrowser()->selectCase(id);
    for (int i = 0; i < 5; ++i) QApplication::processEvents();
  }

  const ui::ResultRow* row(project::CaseId id) const {
    for (const auto& r : panel->rows())
      if (r.caseId == id) return &r;
    return nullptr;
  }
};

/// The demo IHC image as a small tiled pyramid (the demo slide is 8x larger: ~1300 patches,
/// too slow for a GUI test on two shared cores).
fs::path smallSlide() {
  const fs::path slide = kOut / "model-small-slide.tif";
  if (!fs::exists(slide)) {
    const std::string command = "vips tiffsave '" + (kDemo / "pathology-ihc.png").string() + "' '" + slide.string() +
                                "' --tile --pyramid --compression jpeg --Q 90 --tile-width 128 --tile-height 128";
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
  }
  return slide;
}

}  // namespace

TEST(ModelPanel, CardThenA2DImageLabelAndMapFromOneClick) {
  Session s("model-2d-project", {kDemo / "fundus-retina.jpg"});
  ASSERT_TRUE(s.loadBundled()) << s.panel->problem().toStdString();
  const auto card = s.panel->card();
  ASSERT_TRUE(card);
  EXPECT_NE(s.panel->cardView()->toPlainText().indexOf(QStringLiteral("Research use only")), -1);
  EXPECT_NE(s.panel->cardView()->toPlainText().indexOf(QStringLiteral("test_auroc")), -1);
  EXPECT_NE(s.window.windowStatus()->deviceText().indexOf(QStringLiteral("cpu fp32")), -1)
      << s.window.windowStatus()->deviceText().toStdString();
  shot(s.window, "model-1-card.png");

  s.open(s.ids[0]);
  ASSERT_EQ(s.window.currentViewerKind(), ViewerKind::Image2D);
  // One click on "Run on case": the label in the table and the map the panel's explain
  // settings choose (CLS attention, mean of heads) on the viewer. Its latency is measured by
  // tests/bench/ModelPanelBenchmark.cpp, never here.
  auto* run = s.panel->findChild<QPushButton*>(QStringLiteral("runCaseButton"));
  ASSERT_NE(run, nullptr);
  EXPECT_FALSE(s.window.viewer()->heatmap().hasMap());
  bool ok = false, ended = false;
  auto c = QObject::connect(s.panel, &ui::ModelPanel::jobEnded, [&](bool success) { ok = success, ended = true; });
  QTest::mouseClick(run, Qt::LeftButton);
  ASSERT_TRUE(waitUntil([&] { return ended; }, 120000));
  QObject::disconnect(c);
  ASSERT_TRUE(ok) << s.panel->problem().toStdString();
  const auto* row = s.row(s.ids[0]);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->prediction.topLabel, "fundus");
  EXPECT_EQ(s.panel->resultsTable()->rowCount(), 1);
  EXPECT_EQ(s.panel->resultsTable()->item(0, 2)->text(), QStringLiteral("fundus"));
  EXPECT_TRUE(s.window.viewer()->heatmap().hasMap());
  EXPECT_EQ(s.window.caseBrowser()->store()->predictions(s.ids[0]).value().size(), 2u) << "the prediction and its map";
  shot(s.window, "model-2-image-run.png");
  // Explain with one head replaces the map on screen and is stored beside the others.
  ASSERT_TRUE(s.run(s.panel->explainCurrentCase(service::ExplainKind::ClsAttention, 1))) << s.panel->problem().toStdString();
  EXPECT_TRUE(s.window.viewer()->heatmap().hasMap());
  EXPECT_EQ(s.window.caseBrowser()->store()->predictions(s.ids[0]).value().size(), 3u);
  shot(s.window, "model-2-image-cls-head1.png");
}

TEST(ModelPanel, CtStudyScoreCurveLinkedToTheSliceAndRollout) {
  Session s("model-ct-project", {kDemo / "ct-abdomen-stent.nii.gz"});
  ASSERT_TRUE(s.loadBundled()) << s.panel->problem().toStdString();
  s.open(s.ids[0]);
  ASSERT_EQ(s.window.currentViewerKind(), ViewerKind::Volume);
  ASSERT_TRUE(s.run(s.panel->runOnCurrentCase())) << s.panel->problem().toStdString();
  const auto* row = s.row(s.ids[0]);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->prediction.sliceCurve.size(), 256u);
  ui::SliceCurveView* curve = s.panel->curveView();
  ASSERT_TRUE(curve->isVisible());
  ASSERT_EQ(curve->slices(), 256);
  // A click on the curve shows that slice.
  const QRectF plot = curve->chart()->plotArea();
  const QPointF at(plot.left() + plot.width() * 100.0 / 255.0, plot.center().y());
  const int wanted = curve->sliceAt(at);
  EXPECT_NEAR(wanted, 100, 2);
  QTest::mouseClick(curve->viewport(), Qt::LeftButton, {}, at.toPoint());
  for (int i = 0; i < 5; ++i) QApplication::processEvents();
  EXPECT_EQ(s.window.currentSlice(), wanted);
  EXPECT_EQ(curve->markedSlice(), wanted);
  shot(s.window, "model-3-ct-curve.png");

  ASSERT_TRUE(s.run(s.panel->explainCurrentCase(service::ExplainKind::Rollout))) << s.panel->problem().toStdString();
  EXPECT_TRUE(s.window.volumeViewer()->heatmap().hasMap());
  EXPECT_EQ(s.window.volumeViewer()->heatmap().map().size()[2], 256);
  shot(s.window, "model-4-ct-rollout.png");
}

TEST(ModelPanel, SlideHeatmapOnTheViewerThenClsAttention) {
  Session s("model-slide-project", {smallSlide()});
  ASSERT_TRUE(s.loadBundled()) << s.panel->problem().toStdString();
  s.open(s.ids[0]);
  ASSERT_EQ(s.window.currentViewerKind(), ViewerKind::Slide);
  ASSERT_TRUE(s.run(s.panel->runOnCurrentCase())) << s.panel->problem().toStdString();
  for (int i = 0; i < 10; ++i) QApplication::processEvents();
  const auto* row = s.row(s.ids[0]);
  ASSERT_TRUE(row);
  EXPECT_FALSE(row->prediction.mapFile.empty());
  EXPECT_TRUE(s.window.slideViewer()->heatmap().hasMap());  // the patch heatmap, drawn as it was written
  shot(s.window, "model-5-slide-heatmap.png");
  ASSERT_TRUE(s.run(s.panel->explainCurrentCase(service::ExplainKind::ClsAttention)))
      << s.panel->problem().toStdString();
  EXPECT_TRUE(s.window.slideViewer()->heatmap().hasMap());
  shot(s.window, "model-6-slide-cls.png");
}

TEST(ModelPanel, BadModelFoldersAreRefusedInThePanelAndTheProjectStaysAsItWas) {
  Session s("model-bad-project", {kDemo / "fundus-retina.jpg"});
  // Weights that do not match the card's SHA-256.
  const fs::path bad = kOut / "model-bad-weights";
  fs::remove_all(bad);
  fs::copy(*service::bundledModelFolder(), bad, fs::copy_options::recursive);
  {
    std::fstream weights(bad / "weights.safetensors", std::ios::in | std::ios::out | std::ios::binary);
    weights.seekp(static_cast<std::streamoff>(fs::file_size(bad / "weights.safetensors") / 2));
    weights.put('\x5a');
  }
  EXPECT_FALSE(s.run(s.panel->loadModel(bad)));
  EXPECT_NE(s.panel->problem().indexOf(QStringLiteral("SHA-256")), -1) << s.panel->problem().toStdString();
  EXPECT_FALSE(s.panel->card());
  shot(s.window, "model-7-bad-weights.png");

  // A model for CT only on a photograph.
  const fs::path ct = kOut / "model-ct-only";
  fs::remove_all(ct);
  fs::copy(*service::bundledModelFolder(), ct, fs::copy_options::recursive);
  {
    std::ifstream in(ct / "model.json");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string any = "\"modality\": \"any\"";
    const auto at = text.find(any);
    ASSERT_NE(at, std::string::npos);
    text.replace(at, any.size(), "\"modality\": \"ct\"");
    std::ofstream(ct / "model.json") << text;
  }
  ASSERT_TRUE(s.run(s.panel->loadModel(ct))) << s.panel->problem().toStdString();
  s.open(s.ids[0]);
  EXPECT_FALSE(s.run(s.panel->runOnCurrentCase()));
  EXPECT_NE(s.panel->problem().indexOf(QStringLiteral("case %1").arg(s.ids[0])), -1) << s.panel->problem().toStdString();
  EXPECT_NE(s.panel->problem().indexOf(QStringLiteral("CT")), -1) << s.panel->problem().toStdString();
  EXPECT_TRUE(s.window.caseBrowser()->store()->predictions(s.ids[0]).value().empty());
  EXPECT_EQ(s.panel->resultsTable()->rowCount(), 0);
  shot(s.window, "model-8-other-modality.png");
}

TEST(ModelPanel, ReopeningAProjectShowsItsStoredPredictionsWithoutTheModel) {
  const fs::path folder = kOut / "model-reopen-project";
  {
    Session s("model-reopen-project", {kDemo / "fundus-retina.jpg", kDemo / "pathology-ihc.png"});
    ASSERT_TRUE(s.loadBundled());
    // Both cases selected in the Cases tree (as Ctrl+click does), then Run on selection.
    QTreeWidget* tree = s.window.caseBrowser()->tree();
    tree->clearSelection();
    for (QTreeWidgetItemIterator it(tree); *it; ++it)
      if ((*it)->data(0, Qt::UserRole).isValid()) (*it)->setSelected(true);
    ASSERT_EQ(tree->selectedItems().size(), 2);
    ASSERT_TRUE(s.run(s.panel->runOnSelection())) << s.panel->problem().toStdString();
    ASSERT_EQ(s.panel->rows().size(), 2u);
  }
  ui::MainWindow window;
  ASSERT_TRUE(testsupport::showExposed(window, 1700, 1000));
  ASSERT_TRUE(window.openProject(folder).ok());
  for (int i = 0; i < 5; ++i) QApplication::processEvents();
  auto* panel = window.modelPanel();
  panel->raise();
  EXPECT_FALSE(panel->card());  // nothing loaded the model
  ASSERT_EQ(panel->rows().size(), 2u);
  EXPECT_EQ(panel->resultsTable()->rowCount(), 2);
  // Sorted by probability, highest first.
  EXPECT_GE(panel->resultsTable()->item(0, 3)->data(Qt::DisplayRole).toDouble(),
            panel->resultsTable()->item(1, 3)->data(Qt::DisplayRole).toDouble());
  shot(window, "model-9-reopened.png");
}

// While a model job runs (the CT through the volume pipeline) the event loop keeps answering:
// the longest gap between two ticks of a 5 ms timer is printed beside an idle baseline taken
// just before (the machine's load moves both; timing decides nothing here). Then the
// preferences offer the devices and precision this LibTorch and CPU can run.
TEST(ModelPanel, TheWindowAnswersWhileAModelJobRunsAndPreferencesOfferWhatRuns) {
  Session s("model-responsive-project", {kDemo / "ct-abdomen-stent.nii.gz"});
  ASSERT_TRUE(s.loadBundled()) << s.panel->problem().toStdString();
  s.open(s.ids[0]);
  const auto measure = [](const std::function<bool()>& keepGoing, int& ticks, double& longest, int& over50) {
    QElapsedTimer clock, sinceTick;
    clock.start();
    sinceTick.start();
    QTimer timer;
    QObject::connect(&timer, &QTimer::timeout, [&] {
      const double gap = static_cast<double>(sinceTick.nsecsElapsed()) / 1e6;
      ++ticks;
      longest = std::max(longest, gap);
      over50 += gap > 50.0;
      sinceTick.restart();
    });
    timer.start(5);
    while (keepGoing() && clock.elapsed() < 120000) QApplication::processEvents(QEventLoop::AllEvents, 5);
  };
  int idleTicks = 0, idleOver = 0, busyTicks = 0, busyOver = 0;
  double idleLongest = 0, busyLongest = 0;
  QElapsedTimer baseline;
  baseline.start();
  measure([&] { return baseline.elapsed() < 1000; }, idleTicks, idleLongest, idleOver);
  ASSERT_TRUE(s.panel->runOnCurrentCase());
  QElapsedTimer job;
  job.start();
  measure([&] { return s.panel->busy(); }, busyTicks, busyLongest, busyOver);
  std::cout << "event loop idle 1 s: " << idleTicks << " ticks, longest gap " << idleLongest << " ms, " << idleOver
            << " over 50 ms; during a " << job.elapsed() << " ms CT prediction job: " << busyTicks
            << " ticks, longest gap " << busyLongest << " ms, " << busyOver << " over 50 ms\n";
  EXPECT_FALSE(s.panel->busy());
  EXPECT_GT(busyTicks, 0) << "the UI thread did not turn once while the job ran";
  ASSERT_TRUE(s.row(s.ids[0]));

  auto offer = s.panel->deviceOffer();
  ASSERT_TRUE(offer) << offer.error().message;
  EXPECT_EQ(offer.value().devices.front(), "cpu");
  ui::PreferencesDialog dialog(s.window.preferences(), &offer.value(), &s.window);
  dialog.show();
  for (int i = 0; i < 10; ++i) QApplication::processEvents();
  const fs::path file = kOut / "model-10-preferences.png";
  ASSERT_TRUE(dialog.grab().save(QString::fromStdString(file.string()), "PNG"));
  std::cout << "screenshot: " << file.string() << "\n";
}
