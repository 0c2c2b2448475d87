// The Training panel in the window (issue 11 item 4), under Xvfb with real images and the
// bundled model: a new project holding 64 tiles of scikit-image's real IHC image
// (tests/model/make_ihc_tiles.py: DAB-positive/negative by colour deconvolution, the 128 px
// region as the patient) labelled through the store, the split shown, a probe trained as a job in the Jobs
// panel (through the model service library, opened on first use), the ROC with its band,
// the confusion matrix and the calibration plot shown, "Accept model" -> the project's
// active model, logged. Screenshots go to build/test-output/ui/training-*.png.

#include <gtest/gtest.h>

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "IhcTileCases.hpp"
#include "VolumeTestSupport.hpp"
#include "WorkstationTestSupport.hpp"
#include "meridian/core/FileHash.hpp"
#include "meridian/project/ProjectStore.hpp"
#include "meridian/ui/CaseBrowser.hpp"
#include "meridian/ui/JobsPanel.hpp"
#include "meridian/ui/MainWindow.hpp"
#include "meridian/ui/TrainingPanel.hpp"

namespace fs = std::filesystem;
using namespace meridian;

namespace {
const fs::path kOut = MERIDIAN_TEST_OUTPUT;

using testsupport::waitUntil;

void shot(QWidget& widget, const std::string& name) {
  for (int i = 0; i < 10; ++i) QApplication::processEvents();
  fs::create_directories(kOut);
  const fs::path file = kOut / name;
  ASSERT_TRUE(widget.grab().save(QString::fromStdString(file.string()), "PNG")) << file;
  std::cout << "screenshot: " << file.string() << "\n";
}

/// The tiles as cases with their patient (region) and label, written through the store;
/// every tile gets `onlyLabel` instead when it is given (a one-class task).
void addIhcTiles(project::ProjectStore& store, const std::string& onlyLabel = {},
                 const std::string& tilesFolder = "training-ihc-tiles") {
  test::addIhcTileCases(store, kOut / tilesFolder, onlyLabel);
}
}  // namespace

TEST(TrainingPanel, LabelTrainProbeShowRocAccept) {
  const fs::path folder = kOut / "training-project";
  fs::remove_all(folder);
  ui::MainWindow window;
  ASSERT_TRUE(testsupport::showExposed(window, 1600, 1000));
  ASSERT_TRUE(window.newProject(folder).ok());
  auto* store = window.caseBrowser()->store();
  addIhcTiles(*store);
  window.caseBrowser()->refresh();

  auto* panel = window.findChild<ui::TrainingPanel*>();
  ASSERT_NE(panel, nullptr) << "the window installs the Training dock";
  panel->show();
  panel->raise();
  panel->heldOutBox()->setValue(0.25);
  auto* seed = panel->findChild<QSpinBox*>(QStringLiteral("trainingSeed"));
  ASSERT_NE(seed, nullptr);
  seed->setValue(1);
  panel->refreshSplit();
  ASSERT_EQ(panel->splitTable()->rowCount(), 4) << panel->messageLabel()->text().toStdString();
  EXPECT_EQ(panel->splitTable()->item(0, 0)->text(), QStringLiteral("dab_negative"));
  EXPECT_GE(panel->splitTable()->item(0, 2)->text().toInt(), 2);
  shot(window, "training-1-split.png");

  auto started = panel->start();
  ASSERT_TRUE(started.ok()) << started.error().message;
  EXPECT_TRUE(window.jobsPanel()->runner().status(started.value()).has_value()) << "a job in the Jobs panel";
  ASSERT_TRUE(waitUntil([&] { return !window.jobsPanel()->runner().status(started.value()) ||
                                     core::isFinished(window.jobsPanel()->runner().status(started.value())->state); },
                        120000));
  ASSERT_TRUE(waitUntil([&] { return panel->result().has_value(); }, 5000))
      << panel->messageLabel()->text().toStdString();
  const auto& result = *panel->result();
  ASSERT_TRUE(result.heldOut.has_value());
  std::cout << "held-out AUROC " << result.heldOut->auroc.value << " [" << result.heldOut->auroc.ciLow << ", "
            << result.heldOut->auroc.ciHigh << "], confusion";
  for (const auto& row : result.heldOut->confusion)
    for (auto n : row) std::cout << " " << n;
  std::cout << "\n";

  // ROC shown: the chart on screen has the band, the chance line and the curve.
  auto* rocView = qobject_cast<QChartView*>(panel->charts()->currentWidget());
  ASSERT_NE(rocView, nullptr);
  EXPECT_EQ(rocView->chart()->series().size(), 3);
  EXPECT_TRUE(rocView->chart()->title().startsWith(QStringLiteral("ROC: dab_positive vs rest"))) << rocView->chart()->title().toStdString();
  shot(window, "training-2-roc.png");
  shot(*panel, "training-2-roc-panel.png");
  auto* confusion = panel->findChild<QTableWidget*>(QStringLiteral("trainingConfusion"));
  ASSERT_NE(confusion, nullptr);
  EXPECT_EQ(confusion->rowCount(), 2);
  panel->charts()->setCurrentWidget(confusion);
  shot(*panel, "training-3-confusion.png");
  panel->charts()->setCurrentIndex(3);
  shot(*panel, "training-4-calibration.png");
  panel->charts()->setCurrentIndex(0);
  shot(*panel, "training-5-epochs.png");

  ASSERT_TRUE(panel->acceptButton()->isEnabled());
  panel->acceptButton()->click();
  const auto active = store->activeModel();
  ASSERT_TRUE(active.ok() && active.value().has_value()) << panel->messageLabel()->text().toStdString();
  EXPECT_EQ(active.value()->folder, result.relativeFolder);
  EXPECT_FALSE(panel->acceptButton()->isEnabled());
  shot(window, "training-6-accepted.png");
}

namespace {
/// What a refused or cancelled training must leave as it was: cases, labels, the active
/// model and the models folder.
struct ProjectState {
  std::vector<std::pair<project::CaseId, std::vector<std::string>>> labels;
  std::optional<std::string> activeFolder;
  std::vector<std::string> modelFolders;
  bool operator==(const ProjectState& o) const {
    return labels == o.labels && activeFolder == o.activeFolder && modelFolders == o.modelFolders;
  }
};

ProjectState stateOf(const project::ProjectStore& store) {
  ProjectState s;
  for (const auto& c : store.listCases().value()) s.labels.emplace_back(c.id, store.labels(c.id).value());
  if (auto active = store.activeModel().value()) s.activeFolder = active->folder;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(store.modelsFolder(), ec)) s.modelFolders.push_back(entry.path().filename().string());
  std::sort(s.modelFolders.begin(), s.modelFolders.end());
  return s;
}

/// A shown window with a new project `kOut / name` holding the IHC tiles (every one labelled
/// `onlyLabel` when it is given) and its Training dock raised: where each bad-input test starts.
/// `tilesFolder`: where the tiles are written (a test that damages one gets a folder of its own).
ui::TrainingPanel* trainingWindow(ui::MainWindow& window, const std::string& name, const std::string& onlyLabel = {},
                                  const std::string& tilesFolder = "training-ihc-tiles") {
  const fs::path folder = kOut / name;
  fs::remove_all(folder);
  if (!testsupport::showExposed(window, 1600, 1000) || !window.newProject(folder).ok()) return nullptr;
  addIhcTiles(*window.caseBrowser()->store(), onlyLabel, tilesFolder);
  window.caseBrowser()->refresh();
  auto* panel = window.findChild<ui::TrainingPanel*>();
  if (panel != nullptr) {
    panel->show();
    panel->raise();
  }
  return panel;
}

/// Starts the default method with a quarter held out and seed 1.
core::Result<core::JobId> startTraining(ui::TrainingPanel& panel) {
  panel.heldOutBox()->setValue(0.25);
  panel.findChild<QSpinBox*>(QStringLiteral("trainingSeed"))->setValue(1);
  return panel.start();
}
}  // namespace

// Bad input (issue 11): a task with one class only is refused in the panel, with the reason
// on screen, before any job starts; the project is as it was.
TEST(TrainingPanel, AOneClassTaskIsRefusedOnScreenAndTheProjectStaysAsItWas) {
  ui::MainWindow window;
  auto* panel = trainingWindow(window, "training-one-class-project", "dab_positive");
  ASSERT_NE(panel, nullptr);
  auto* store = window.caseBrowser()->store();
  const ProjectState before = stateOf(*store);
  panel->refreshSplit();
  EXPECT_EQ(panel->splitTable()->rowCount(), 0);
  const std::size_t jobsBefore = window.jobsPanel()->runner().jobs().size();
  auto started = panel->start();
  ASSERT_FALSE(started.ok()) << "a one-class task must not start a training job";
  const QString message = panel->messageLabel()->text();
  EXPECT_TRUE(message.contains(QStringLiteral("class"), Qt::CaseInsensitive)) << message.toStdString();
  EXPECT_EQ(window.jobsPanel()->runner().jobs().size(), jobsBefore);
  EXPECT_FALSE(panel->acceptButton()->isEnabled());
  EXPECT_TRUE(stateOf(*store) == before);
  shot(window, "training-7-one-class.png");
}

// Bad input (issue 11): a training job cancelled while it runs says so in the panel, offers
// Resume, adds no model to the project and leaves the active model (none here) alone.
TEST(TrainingPanel, ACancelledTrainingSaysSoAndAddsNothing) {
  ui::MainWindow window;
  auto* panel = trainingWindow(window, "training-cancel-project");
  ASSERT_NE(panel, nullptr);
  auto* store = window.caseBrowser()->store();
  const ProjectState before = stateOf(*store);
  auto started = startTraining(*panel);
  ASSERT_TRUE(started.ok()) << started.error().message;
  auto& runner = window.jobsPanel()->runner();
  ASSERT_TRUE(waitUntil([&] { return runner.status(started.value())->state != core::JobState::Queued; }));
  auto* cancel = panel->findChild<QPushButton*>(QStringLiteral("trainingCancel"));
  ASSERT_NE(cancel, nullptr);
  ASSERT_TRUE(cancel->isEnabled());
  cancel->click();
  ASSERT_TRUE(waitUntil([&] { return core::isFinished(runner.status(started.value())->state); }));
  ASSERT_TRUE(waitUntil([&] { return !cancel->isEnabled(); }, 5000)) << "the panel heard of the job's end";
  EXPECT_EQ(runner.status(started.value())->state, core::JobState::Cancelled);
  EXPECT_TRUE(panel->messageLabel()->text().contains(QStringLiteral("cancelled"))) << panel->messageLabel()->text().toStdString();
  EXPECT_TRUE(panel->findChild<QPushButton*>(QStringLiteral("trainingResume"))->isEnabled());
  EXPECT_FALSE(panel->acceptButton()->isEnabled());
  EXPECT_FALSE(panel->result().has_value());
  EXPECT_TRUE(stateOf(*store) == before) << "no model folder, no active model, the labels as they were";
  shot(window, "training-8-cancelled.png");
}

// A training job that fails part-way (a labelled case's file turned to garbage after it was
// added): the reason on screen, naming the file; no model, no active model, the labels kept.
TEST(TrainingPanel, AFailedTrainingSaysWhyAndAddsNothing) {
  ui::MainWindow window;
  fs::remove_all(kOut / "training-failed-tiles");  // it damages one: fresh tiles, apart from the others'
  auto* panel = trainingWindow(window, "training-failed-project", {}, "training-failed-tiles");
  ASSERT_NE(panel, nullptr);
  auto* store = window.caseBrowser()->store();
  const auto cases = store->listCases().value();
  ASSERT_FALSE(cases.empty());
  const fs::path broken = cases.back().path;
  std::ofstream(broken, std::ios::binary | std::ios::trunc) << "not a PNG any more";
  const ProjectState before = stateOf(*store);
  auto started = startTraining(*panel);
  if (started.ok()) {
    auto& runner = window.jobsPanel()->runner();
    ASSERT_TRUE(waitUntil([&] { return core::isFinished(runner.status(started.value())->state); }, 120000));
    auto* cancel = panel->findChild<QPushButton*>(QStringLiteral("trainingCancel"));
    ASSERT_TRUE(waitUntil([&] { return !cancel->isEnabled(); }, 5000)) << "the panel heard of the job's end";
    EXPECT_EQ(runner.status(started.value())->state, core::JobState::Failed);
  }
  const std::string message = panel->messageLabel()->text().toStdString();
  EXPECT_NE(message.find(broken.filename().string()), std::string::npos) << "the message names the file: " << message;
  EXPECT_FALSE(panel->acceptButton()->isEnabled());
  EXPECT_FALSE(panel->result().has_value());
  EXPECT_TRUE(stateOf(*store) == before) << "no model folder, no active model, the labels as they were";
  shot(window, "training-9-failed.png");
}
