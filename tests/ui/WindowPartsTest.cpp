// The window's parts, through the window: the Files list opens on one click and on Enter
// and shows a failed file with a warning sign; the status readout follows the viewer on
// screen; a volume opens with the look of its modality and body part; preferences persist
// (in the test's own settings folder).

#include <gtest/gtest.h>

#include <QDir>
#include <QLabel>
#include <QListWidget>
#include <QSettings>
#include <QStatusBar>

#include <filesystem>
#include <fstream>

#include "CutShortDicomFolder.hpp"
#include "MouseInput.hpp"
#include "VolumeTestSupport.hpp"
#include "meridian/ui/FilesPanel.hpp"
#include "meridian/ui/MainWindow.hpp"
#include "meridian/ui/WindowStatus.hpp"
#include "meridian/viewers/Volume3DView.hpp"
#include "meridian/viewers/VolumeViewer.hpp"

namespace fs = std::filesystem;
using namespace meridian;
using viewers::ViewerKind;

namespace {
const fs::path kDemo = MERIDIAN_TEST_DEMO_DATA;
const fs::path kOut = MERIDIAN_TEST_OUTPUT;
const fs::path kPydicom = "/usr/lib/python3/dist-packages/pydicom/data/test_files";

int rowOf(QListWidget* list, const QString& text) {
  for (int i = 0; i < list->count(); ++i)
    if (list->item(i)->text() == text) return i;
  return -1;
}
}  // namespace

TEST(FilesPanel, OneClickOrEnterOpensAnEntry) {
  ui::MainWindow window;
  ASSERT_TRUE(testsupport::showExposed(window, 1400, 900));
  ASSERT_TRUE(window.open(kDemo).ok());
  QListWidget* list = window.fileList();
  EXPECT_EQ(window.filesPanel()->openRow(), 0);
  // One click on the fundus photograph opens it.
  const int fundus = rowOf(list, QStringLiteral("fundus-retina.jpg"));
  ASSERT_GE(fundus, 0);
  testsupport::click(list->viewport(), list->visualItemRect(list->item(fundus)).center());
  EXPECT_EQ(window.windowTitle().toStdString(), "fundus-retina.jpg — Meridian");
  EXPECT_EQ(window.filesPanel()->openRow(), fundus);
  // Arrow keys move the selection without reading anything; Enter opens.
  const int slide = rowOf(list, QStringLiteral("pathology-ihc-slide.tif"));
  ASSERT_GE(slide, 0);
  list->setFocus();
  list->setCurrentRow(slide);
  EXPECT_EQ(window.currentViewerKind(), ViewerKind::Image2D);
  testsupport::pressKey(list, Qt::Key_Return);
  EXPECT_EQ(window.currentViewerKind(), ViewerKind::Slide);
  EXPECT_EQ(window.filesPanel()->openRow(), slide);
}

TEST(FilesPanel, AFileThatFailedToJoinItsSeriesIsMarked) {
  const fs::path dir = fs::temp_directory_path() / "meridian-files-panel-warning";
  test::makeCutShortDicomFolder(dir);
  ui::MainWindow window;
  ASSERT_TRUE(window.open(dir).ok());
  const int row = rowOf(window.fileList(), QStringLiteral("b-cut-short.dcm"));
  ASSERT_GE(row, 0);
  QListWidgetItem* item = window.fileList()->item(row);
  EXPECT_FALSE(item->icon().isNull()) << "no warning sign";
  EXPECT_TRUE(item->toolTip().contains(QStringLiteral("not in any DICOM series"))) << item->toolTip().toStdString();
  EXPECT_TRUE(window.statusBar()->currentMessage().contains(QStringLiteral("could not join a DICOM series")))
      << window.statusBar()->currentMessage().toStdString();
  ASSERT_TRUE(testsupport::showExposed(window, 1400, 900));
  fs::create_directories(kOut);
  window.grab().save(QString::fromStdString((kOut / "files-panel-warning.png").string()), "PNG");
  fs::remove_all(dir);
}

// pydicom's CT5N with one slice removed (app.cli_incomplete_series' fixture): the series'
// row carries the warning sign and a tooltip naming the missing position and the count.
TEST(FilesPanel, ASeriesWithAMissingSliceIsMarked) {
  const fs::path dir = fs::temp_directory_path() / "meridian-files-panel-gap";
  fs::remove_all(dir);
  fs::copy(kPydicom / "dicomdirtests/98892001/CT5N", dir);
  fs::remove(dir / "2693");
  ui::MainWindow window;
  ASSERT_TRUE(testsupport::showExposed(window, 1400, 900));
  ASSERT_TRUE(window.open(dir).ok());
  ASSERT_EQ(window.fileList()->count(), 1);
  QListWidgetItem* item = window.fileList()->item(0);
  EXPECT_FALSE(item->icon().isNull()) << "no warning sign";
  EXPECT_TRUE(item->toolTip().contains(QStringLiteral("⚠ incomplete series: 1 slice missing")))
      << item->toolTip().toStdString();
  EXPECT_TRUE(item->toolTip().contains(QStringLiteral("3.7625) mm"))) << item->toolTip().toStdString();
  testsupport::processEvents();
  fs::create_directories(kOut);
  window.grab().save(QString::fromStdString((kOut / "files-panel-missing-slice.png").string()), "PNG");
  fs::remove_all(dir);
}

// Switching from a volume to a slide used to leave the volume's LPS/voxel/W-L readout.
TEST(WindowStatus, TheReadoutFollowsTheViewerOnScreen) {
  ui::MainWindow window;
  ASSERT_TRUE(testsupport::showExposed(window, 1400, 900));
  ASSERT_TRUE(window.openPath(kDemo / "ct-abdomen-stent.nii.gz").ok());
  testsupport::processEvents();
  EXPECT_TRUE(window.windowStatus()->readoutText().contains(QStringLiteral("LPS")))
      << window.windowStatus()->readoutText().toStdString();
  ASSERT_TRUE(window.openPath(kDemo / "pathology-ihc-slide.tif").ok());
  testsupport::processEvents();
  EXPECT_FALSE(window.windowStatus()->readoutText().contains(QStringLiteral("LPS")))
      << window.windowStatus()->readoutText().toStdString();
  EXPECT_TRUE(window.windowStatus()->memoryText().startsWith(QStringLiteral("Memory ")));
  EXPECT_EQ(window.windowStatus()->jobsText().toStdString(), "Jobs: 0 running");
}

TEST(InitialDisplayInTheWindow, AHeadCtOpensInTheBrainWindowAnMrAsAMip) {
  ui::MainWindow window;
  ASSERT_TRUE(window.open(kPydicom / "dicomdirtests/77654033").ok());
  int ct = -1;
  for (std::size_t i = 0; i < window.series().size(); ++i)
    if (window.series()[i].modality == "CT") ct = static_cast<int>(i);
  ASSERT_GE(ct, 0);
  ASSERT_TRUE(window.openSeries(window.series()[static_cast<std::size_t>(ct)]).ok());
  ASSERT_EQ(window.currentViewerKind(), ViewerKind::Volume);
  EXPECT_DOUBLE_EQ(window.volumeViewer()->state().window().center, 40);
  EXPECT_DOUBLE_EQ(window.volumeViewer()->state().window().width, 80);
  EXPECT_EQ(window.volumeViewer()->view3D()->preset(), viewers::Volume3DPreset::CtBone);

  ASSERT_TRUE(window.openPath(kDemo / "mr-brain.nii").ok());
  ASSERT_EQ(window.currentViewerKind(), ViewerKind::Volume);
  EXPECT_EQ(window.volumeViewer()->view3D()->preset(), viewers::Volume3DPreset::Mip);
  EXPECT_FALSE(window.volumeViewer()->initialDisplay().treatedAsCt);
  ASSERT_TRUE(testsupport::showExposed(window, 1400, 900));
  fs::create_directories(kOut);
  window.grab().save(QString::fromStdString((kOut / "initial-display-mr.png").string()), "PNG");
}

TEST(Preferences, PersistInTheTestsSettingsFolderNotTheUsers) {
  const QString file = QSettings().fileName();
  EXPECT_FALSE(file.startsWith(QDir::homePath() + QStringLiteral("/.config"))) << file.toStdString();
  EXPECT_TRUE(file.startsWith(QDir::tempPath())) << file.toStdString();
  {
    ui::MainWindow window;
    ui::Preferences p = window.preferences();
    p.device = "cuda:0";
    p.reviewerName = "Dr. Test";
    p.threads = 3;
    window.setPreferences(p);
    EXPECT_EQ(window.windowStatus()->deviceText().toStdString(), "Device: cuda:0");
  }
  ui::MainWindow again;
  EXPECT_EQ(again.preferences().device, "cuda:0");
  EXPECT_EQ(again.preferences().reviewerName, "Dr. Test");
  EXPECT_EQ(again.preferences().threads, 3);
  QSettings().clear();
}
