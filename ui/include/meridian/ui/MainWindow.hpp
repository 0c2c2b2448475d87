#pragma once
// The workstation's main window: the viewer in the centre, a panel with what the open
// file is, File/Help menus and a status bar with the pixel under the mouse.

#include <QMainWindow>
#include <filesystem>
#include <memory>
#include <vector>

#include "meridian/core/Result.hpp"
#include "meridian/core/Volume.hpp"

class QCloseEvent;
class QLabel;
class QSlider;
class QStackedWidget;
class QToolBar;
class QListWidget;
class QListWidgetItem;
class QTreeWidget;

namespace meridian::viewers {
class ImageViewer2D;
class OverlayPanel;
class SlideViewer;
class VolumeViewer;
}
namespace meridian::io {
struct DicomSeriesInfo;
}

namespace meridian::ui {

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  /// Opens an image, volume (middle slice for now) or slide (overview) in the viewer.
  /// On failure the previous image stays and the error is returned (and shown in the
  /// status bar); interactive callers also get a message box via openWithDialog().
  core::Status openPath(const std::filesystem::path& path);

  /// Lists a folder in the Files panel and opens the first entry that opens: the images
  /// directly in it, then the DICOM series found anywhere below it (one entry per series).
  core::Status openFolder(const std::filesystem::path& folder);

  /// Loads a DICOM series as a volume and shows its middle slice; warnings (irregular
  /// spacing, tilt) go to the Image panel and the status bar.
  core::Status openSeries(const io::DicomSeriesInfo& series);

  /// openFolder() for folders, openPath() for files.
  core::Status open(const std::filesystem::path& path);

  viewers::ImageViewer2D* viewer() const { return viewer_; }
  /// Makes `viewer` the visible one in the central stack, adding it (reparented) on first use.
  /// Each kind of content has its own viewer: 2D images, volumes, slides.
  void showViewer(QWidget* viewer);
  /// The viewer the central stack shows now.
  QWidget* currentViewer() const;
  /// Hands an overlay map to the viewer showing the open content (2D, volume or slide);
  /// that viewer checks that the map fits and refuses it with the reason otherwise.
  core::Status setHeatmapOnCurrentViewer(core::Volume map);
  /// Reads a label map (class index per pixel or voxel, 0 = none) and hands it to the viewer
  /// showing the open content: a single-plane map for a 2D image, a volume in the same
  /// patient space for a volume; for a slide a NIfTI/NRRD/MHA map in level-0 pixel geometry
  /// or a PNG/TIFF mask covering the whole slide. Refused, with the reason, otherwise.
  core::Status loadLabelMapOnCurrentViewer(const std::filesystem::path& file);
  /// The "Tools & overlays" dock's panel; it follows the viewer on screen.
  viewers::OverlayPanel* overlayPanel() const { return overlayPanel_; }
  /// Where scalar volumes and DICOM series open (planes + 3D).
  viewers::VolumeViewer* volumeViewer() const { return volumeViewer_; }
  /// Where whole slides open (tile pyramid, minimap, scale bar).
  viewers::SlideViewer* slideViewer() const { return slideViewer_; }
  /// Axial slice shown from the open volume (-1 when a 2D image or slide is open): the volume
  /// viewer's axial plane, or the 2D viewer's frame for colour frame stacks.
  int currentSlice() const;
  /// Shows axial slice k of the open volume, keeping zoom, pan and window.
  void showSlice(int k);
  QListWidget* fileList() const { return fileList_; }
  /// The DICOM series listed in the Files panel (after the plain files).
  const std::vector<io::DicomSeriesInfo>& series() const { return series_; }

 public Q_SLOTS:
  void openWithDialog();
  void saveScreenshotWithDialog();

 protected:
  /// Refused while a file is being read (it would be cut off half-way; see BackgroundTask.hpp).
  void closeEvent(QCloseEvent* event) override;

 private:
  void buildMenus();
  void showInfo(const std::vector<std::pair<QString, QString>>& rows);
  /// Keeps `volume` for slice browsing (nullptr for 2D content) and shows its middle slice.
  core::Status showVolume(std::shared_ptr<const core::Volume> volume);
  core::Status openListItem(QListWidgetItem* item);

  QStackedWidget* viewerStack_ = nullptr;  // the viewers; showViewer() picks the visible one
  viewers::ImageViewer2D* viewer_ = nullptr;
  viewers::VolumeViewer* volumeViewer_ = nullptr;
  viewers::SlideViewer* slideViewer_ = nullptr;
  viewers::OverlayPanel* overlayPanel_ = nullptr;
  QTreeWidget* infoPanel_ = nullptr;
  QListWidget* fileList_ = nullptr;
  std::vector<io::DicomSeriesInfo> series_;  // what the Files panel lists, by index
  QLabel* pixelLabel_ = nullptr;
  QToolBar* sliceBar_ = nullptr;
  QSlider* sliceSlider_ = nullptr;
  QLabel* sliceLabel_ = nullptr;
  std::shared_ptr<const core::Volume> volume_;  // the open volume, for slice browsing
};

}  // namespace meridian::ui
