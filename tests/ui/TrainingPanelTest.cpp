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

#include <filesystem>
#include <fstream>
#include <iostream>

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

/// The tiles as cases with their patient (region) and label, written through the store.
void addIhcTiles(project::ProjectStore& store) {
  test::addIhcTileCases(store, kOut / "training-ihc-tiles");
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
