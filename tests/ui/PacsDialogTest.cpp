// File ▸ PACS… and File ▸ Audit trail… in the window (issue 12, item 7), under Xvfb, against a
// real Orthanc (Debian's `orthanc`) that the test starts on loopback with its own configuration
// and stops at the end: echo, find, the series of a study, retrieve into the project, the case's
// SR sent back (found again with C-FIND), a server that cannot be reached. Then the audit view:
// the events listed, Verify intact, and after an edit of the log with sqlite3, Verify naming the
// edited event. Screenshots (build/test-output/ui/pacs-dialog.png, audit-dialog.png,
// audit-dialog-tampered.png) for a person to look at.

#include <gtest/gtest.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QLabel>
#include <QSpinBox>
#include <QTableWidget>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>

#include "VolumeTestSupport.hpp"
#include "WorkstationTestSupport.hpp"
#include "meridian/pacs/PacsClient.hpp"
#include "meridian/project/ProjectStore.hpp"
#include "meridian/ui/AuditDialog.hpp"
#include "meridian/ui/CaseBrowser.hpp"
#include "meridian/ui/MainWindow.hpp"
#include "meridian/ui/PacsDialog.hpp"

namespace fs = std::filesystem;
using namespace meridian;

namespace {
const fs::path kOut = MERIDIAN_TEST_OUTPUT;
const fs::path kTestFiles = "/usr/lib/python3/dist-packages/pydicom/data/test_files";
const fs::path kSeries = kTestFiles / "dicomdirtests/98892001/CT5N";
const std::string kSha = "4f1c0c2d3e4a5b6c7d8e9f00112233445566778899aabbccddeeff0011223344";

using testsupport::waitUntil;

int freePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

/// Orthanc on loopback with a configuration of its own, stopped (SIGTERM, then waited for) when
/// this goes out of scope.
class Orthanc {
 public:
  explicit Orthanc(const fs::path& folder) : dicomPort_(freePort()), movePort_(freePort()) {
    fs::create_directories(folder);
    const fs::path config = folder / "orthanc.json";
    std::ofstream(config) << "{\"Name\": \"MeridianGuiTest\", \"StorageDirectory\": \"" << (folder / "storage").string()
                          << "\", \"IndexDirectory\": \"" << (folder / "storage").string()
                          << "\", \"HttpPort\": " << freePort() << ", \"DicomPort\": " << dicomPort_
                          << ", \"DicomAet\": \"ORTHANC\", \"RemoteAccessAllowed\": false, \"Plugins\": [],"
                             " \"DicomModalities\": {\"meridian\": [\"MERIDIAN\", \"127.0.0.1\", "
                          << movePort_ << "]}}";
    const std::string log = (folder / "orthanc.log").string();
    pid_ = ::fork();
    if (pid_ == 0) {
      std::freopen(log.c_str(), "w", stdout);
      std::freopen(log.c_str(), "a", stderr);
      ::execl("/usr/sbin/Orthanc", "Orthanc", config.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~Orthanc() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  pacs::PacsServer server() const {
    pacs::PacsServer s;
    s.port = dicomPort_;
    s.timeoutSeconds = 10;
    return s;
  }
  /// The port Orthanc sends a C-MOVE for MERIDIAN to.
  int movePort() const { return movePort_; }
  /// Waits until the DICOM port answers C-ECHO.
  bool ready() const {
    for (int i = 0; i < 200; ++i) {
      if (pacs::echo(server())) return true;
      ::usleep(100 * 1000);
    }
    return false;
  }

 private:
  int dicomPort_, movePort_;
  pid_t pid_ = -1;
};

/// Runs one of the dialog's actions and waits for its job's end: {ok, text}.
std::pair<bool, QString> runAndWait(ui::PacsDialog& dialog, const QString& action,
                                    const std::function<core::Result<core::JobId>()>& start) {
  bool finished = false, ok = false;
  QString text;
  auto connection = QObject::connect(&dialog, &ui::PacsDialog::finished, [&](QString a, bool success, QString t) {
    if (a != action) return;
    finished = true;
    ok = success;
    text = t;
  });
  auto started = start();
  EXPECT_TRUE(started) << started.error().message;
  if (started) EXPECT_TRUE(waitUntil([&] { return finished; }));
  QObject::disconnect(connection);
  return {ok, text};
}

std::pair<bool, QString> verifyAndWait(ui::AuditDialog& audit) {
  bool finished = false, intact = false;
  QString text;
  auto connection = QObject::connect(&audit, &ui::AuditDialog::verified, [&](bool i, QString t) {
    finished = true;
    intact = i;
    text = t;
  });
  auto started = audit.verify();
  EXPECT_TRUE(started) << started.error().message;
  if (started) EXPECT_TRUE(waitUntil([&] { return finished; }));
  QObject::disconnect(connection);
  return {intact, text};
}

void save(QWidget& widget, const std::string& name) {
  for (int i = 0; i < 20; ++i) QApplication::processEvents();
  const fs::path shot = kOut / name;
  ASSERT_TRUE(widget.grab().save(QString::fromStdString(shot.string()), "PNG"));
  std::cout << "screenshot: " << shot.string() << "\n";
}
}  // namespace

TEST(PacsDialog, FindsRetrievesAndSendsBackThroughARealOrthanc) {
  const fs::path dir = kOut / "pacs-dialog";
  fs::remove_all(dir);
  Orthanc orthanc(dir / "orthanc");
  ASSERT_TRUE(orthanc.ready()) << "Orthanc did not answer; see " << (dir / "orthanc/orthanc.log");
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kSeries)) files.push_back(entry.path());
  files.push_back(kTestFiles / "CT_small.dcm");
  ASSERT_TRUE(pacs::store(orthanc.server(), files));

  ui::MainWindow window;
  ASSERT_TRUE(testsupport::showExposed(window, 1400, 900));
  ASSERT_TRUE(window.newProject(dir / "project").ok());
  auto* pacsDialog = window.findChild<ui::PacsDialog*>(QStringLiteral("pacsDialog"));
  ASSERT_NE(pacsDialog, nullptr);
  ui::PacsDialog& dialog = *pacsDialog;
  dialog.setServer(orthanc.server());
  auto* retrieveBy = dialog.findChild<QSpinBox*>(QStringLiteral("pacsMovePort"));
  ASSERT_NE(retrieveBy, nullptr);
  retrieveBy->setValue(0);  // C-GET first, whatever an earlier run left in the preferences
  dialog.show();

  auto echo = runAndWait(dialog, "echo", [&] { return dialog.echo(); });
  EXPECT_TRUE(echo.first) << echo.second.toStdString();
  EXPECT_EQ(ui::loadPacsServer().port, orthanc.server().port) << "the server is kept in the preferences";

  auto find = runAndWait(dialog, "find", [&] { return dialog.find(); });
  ASSERT_TRUE(find.first) << find.second.toStdString();
  QTableWidget* studies = dialog.studiesTable();
  ASSERT_EQ(studies->rowCount(), 2);
  int peter = -1;
  for (int r = 0; r < studies->rowCount(); ++r)
    if (studies->item(r, 2)->text() == QStringLiteral("Doe^Peter")) peter = r;
  ASSERT_GE(peter, 0);
  const std::string studyUid = studies->item(peter, 7)->text().toStdString();
  studies->selectRow(peter);  // lists its series as a job
  ASSERT_TRUE(waitUntil([&] { return dialog.seriesTable()->rowCount() == 1; }));
  EXPECT_EQ(dialog.seriesTable()->item(0, 1)->text(), QStringLiteral("CT"));
  EXPECT_EQ(dialog.seriesTable()->item(0, 2)->text(), QStringLiteral("5"));

  auto retrieved = runAndWait(dialog, "retrieve", [&] { return dialog.retrieveSelected(); });
  ASSERT_TRUE(retrieved.first) << retrieved.second.toStdString();
  EXPECT_NE(retrieved.second.toStdString().find("Retrieved 5 object(s) by C-GET; 1 case(s) added"), std::string::npos)
      << retrieved.second.toStdString();
  ui::CaseBrowser* cases = window.caseBrowser();
  ASSERT_TRUE(waitUntil([&] { return cases->order().size() == 1; }));
  project::ProjectStore& store = *cases->store();
  const auto listed = store.listCases().value();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].studyUid, studyUid);
  EXPECT_EQ(listed[0].files.size(), 5u);

  // The other study by C-MOVE: "Retrieve by" names the port Orthanc's configuration lists for MERIDIAN.
  int small = -1;
  for (int r = 0; r < studies->rowCount(); ++r)
    if (r != peter) small = r;
  studies->selectRow(small);  // CT_small: one series of one object
  const auto seriesCount = [&](const char* count) {
    return dialog.seriesTable()->rowCount() == 1 && dialog.seriesTable()->item(0, 2)->text() == QLatin1String(count);
  };
  ASSERT_TRUE(waitUntil([&] { return seriesCount("1"); }));
  retrieveBy->setValue(orthanc.movePort());
  auto moved = runAndWait(dialog, "retrieve", [&] { return dialog.retrieveSelected(); });
  ASSERT_TRUE(moved.first) << moved.second.toStdString();
  EXPECT_NE(moved.second.toStdString().find("Retrieved 1 object(s) by C-MOVE; 1 case(s) added"), std::string::npos)
      << moved.second.toStdString();
  ASSERT_TRUE(waitUntil([&] { return cases->order().size() == 2; }));
  retrieveBy->setValue(0);
  studies->selectRow(peter);
  ASSERT_TRUE(waitUntil([&] { return seriesCount("5"); }));

  // Sending needs a case selected, then a prediction to report.
  auto none = dialog.sendCurrentCase();
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("select a case"), std::string::npos);
  project::ModelRun run;
  run.task = "inference";
  run.modelName = "vit-pacs-test";
  run.weightsSha256 = kSha;
  project::Prediction p;
  p.caseId = listed[0].id;
  p.runId = store.startModelRun(run).value();
  p.weightsSha256 = kSha;
  p.outputsJson = "{\"normal\": 0.25, \"tumour\": 0.75}";
  ASSERT_TRUE(store.addPrediction(p));
  cases->selectCase(listed[0].id);
  ASSERT_TRUE(waitUntil([&] { return cases->currentCase() == listed[0].id; }));
  auto sent = runAndWait(dialog, "send", [&] { return dialog.sendCurrentCase(); });
  ASSERT_TRUE(sent.first) << sent.second.toStdString();
  auto seriesNow = pacs::findSeries(orthanc.server(), studyUid);
  ASSERT_TRUE(seriesNow);
  int srSeries = 0;
  for (const auto& s : seriesNow.value()) srSeries += s.modality == "SR";
  EXPECT_EQ(srSeries, 1) << "the SR joined the study on the PACS";

  // The dialog as a person sees it after the round trip.
  save(dialog, "pacs-dialog.png");

  // A server that cannot be reached: the status line says so, in red.
  pacs::PacsServer gone = orthanc.server();
  gone.port = freePort();
  dialog.setServer(gone);
  auto refused = runAndWait(dialog, "echo", [&] { return dialog.echo(); });
  EXPECT_FALSE(refused.first);
  EXPECT_NE(dialog.statusLine()->text().toStdString().find("cannot reach the PACS"), std::string::npos)
      << dialog.statusLine()->text().toStdString();
  EXPECT_NE(dialog.statusLine()->styleSheet().indexOf(QStringLiteral("#b00020")), -1);
  save(dialog, "pacs-dialog-unreachable.png");
  dialog.close();

  // The audit view: the events (the retrieve and the sending among them), Verify intact.
  auto* auditDialog = window.findChild<ui::AuditDialog*>(QStringLiteral("auditDialog"));
  ASSERT_NE(auditDialog, nullptr);
  ui::AuditDialog& audit = *auditDialog;
  ASSERT_TRUE(audit.reload());
  audit.show();
  QTableWidget* events = audit.table();
  bool retrieveShown = false, storeShown = false;
  for (int r = 0; r < events->rowCount(); ++r) {
    retrieveShown = retrieveShown || events->item(r, 3)->text() == QStringLiteral("pacs.retrieve");
    storeShown = storeShown || events->item(r, 3)->text() == QStringLiteral("pacs.store");
  }
  EXPECT_TRUE(retrieveShown);
  EXPECT_TRUE(storeShown);
  EXPECT_EQ(events->rowCount(), static_cast<int>(store.events().value().size()));
  auto intact = verifyAndWait(audit);
  EXPECT_TRUE(intact.first) << intact.second.toStdString();
  EXPECT_TRUE(intact.second.startsWith(QStringLiteral("Intact: "))) << intact.second.toStdString();
  save(audit, "audit-dialog.png");

  // An edit of event 2 made behind Meridian's back (sqlite3, the append-only triggers dropped):
  // Verify names it, as meridian-cli audit verify does.
  const fs::path projectFolder = store.folder();
  cases->closeProject();
  const std::string edit =
      "/usr/bin/python3 -c \"import sqlite3,sys; d=sqlite3.connect(sys.argv[1]); "
      "d.executescript('DROP TRIGGER events_append_only_update;'); "
      "d.execute('UPDATE events SET payload_json = ? WHERE seq = 2', ('{\\\"edited\\\": true}',)); d.commit()\" '" +
      (projectFolder / "project.sqlite").string() + "'";
  ASSERT_EQ(std::system(edit.c_str()), 0) << edit;
  ASSERT_TRUE(window.openProject(projectFolder).ok());
  ASSERT_TRUE(audit.reload());
  auto tampered = verifyAndWait(audit);
  EXPECT_FALSE(tampered.first);
  EXPECT_TRUE(tampered.second.startsWith(QStringLiteral("TAMPERED from event 2"))) << tampered.second.toStdString();
  ASSERT_FALSE(audit.table()->selectionModel()->selectedRows().isEmpty());
  EXPECT_EQ(audit.table()->selectionModel()->selectedRows().front().row(), 1);
  save(audit, "audit-dialog-tampered.png");
}
