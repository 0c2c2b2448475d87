#pragma once
// The centre of the window: one viewer per kind of content (2D image, volume, slide),
// stacked so only the one on screen renders. The window talks to them through
// viewers::ViewerHost -- which one shows the content is a ViewerKind, never a pointer
// comparison -- and hands overlays to the one on screen; which map fits is decided by the
// Qt-free rules (OverlayFit.hpp, LabelMapFile.hpp).

#include <QStackedWidget>

#include <array>
#include <filesystem>
#include <memory>

#include "meridian/core/Result.hpp"
#include "meridian/core/Volume.hpp"
#include "meridian/viewers/ViewerHost.hpp"
#include "meridian/viewers/ViewerKind.hpp"

namespace meridian::viewers {
class ImageViewer2D;
class SlideViewer;
class VolumeViewer;
}  // namespace meridian::viewers

namespace meridian::ui {

class ViewerStack : public QStackedWidget {
  Q_OBJECT
 public:
  explicit ViewerStack(QWidget* parent = nullptr);
  ~ViewerStack() override;

  viewers::ImageViewer2D* imageViewer() const { return imageViewer_; }
  viewers::VolumeViewer* volumeViewer() const { return volumeViewer_; }
  viewers::SlideViewer* slideViewer() const { return slideViewer_; }

  viewers::ViewerHost& host(viewers::ViewerKind kind) const { return *hosts_[static_cast<std::size_t>(kind)]; }
  viewers::ViewerHost& current() const { return host(currentKind_); }
  viewers::ViewerKind currentKind() const { return currentKind_; }
  /// Brings that viewer to the front (currentViewerChanged).
  void show(viewers::ViewerKind kind);

  /// A heatmap for the viewer on screen; refused (the previous map stays) with the reason.
  core::Status setHeatmap(core::Volume map);
  /// Reads a label map (off the UI thread) and hands it to the viewer on screen, fitted to
  /// it (LabelMapFile.hpp); refused with the reason, naming the file.
  core::Status loadLabelMap(const std::filesystem::path& file);
  void resetView() { current().resetView(); }

 Q_SIGNALS:
  void currentViewerChanged(meridian::viewers::ViewerKind kind);
  /// A result or a problem for the status bar (the viewers' own, passed on).
  void statusMessage(QString text);
  /// A viewer's readout (pixel under the mouse, crosshair, W/L) changed.
  void readoutChanged(meridian::viewers::ViewerKind from, QString text);
  /// The heatmap of a viewer was set or dropped: the overlay panel resyncs.
  void heatmapChanged();
  /// A viewer's label shapes were added, moved, deleted or replaced (2D and slide viewers).
  void annotationsChanged(meridian::viewers::ViewerKind from);
  /// The 2D viewer stepped to another frame of a stack (Ctrl+wheel).
  void frameChanged(int frame, int count);

 private:
  viewers::ImageViewer2D* imageViewer_ = nullptr;
  viewers::VolumeViewer* volumeViewer_ = nullptr;
  viewers::SlideViewer* slideViewer_ = nullptr;
  std::array<std::unique_ptr<viewers::ViewerHost>, 3> hosts_;
  viewers::ViewerKind currentKind_ = viewers::ViewerKind::Image2D;
};

}  // namespace meridian::ui
