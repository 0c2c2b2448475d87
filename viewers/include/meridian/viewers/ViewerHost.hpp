#pragma once
// One interface for the three viewers, so the window never asks "which widget is this?":
// it hands heatmaps, label maps and "reset the view" to whichever host is on screen, and
// that host knows its kind and what it shows (ShownContent, for the Qt-free rules of
// OverlayFit.hpp). The viewers keep their own richer APIs; makeViewerHost() adapts each.

#include <memory>

#include "meridian/core/Result.hpp"
#include "meridian/core/Volume.hpp"
#include "meridian/viewers/OverlayFit.hpp"
#include "meridian/viewers/ViewerKind.hpp"

class QWidget;

namespace meridian::viewers {

class ImageViewer2D;
class OverlayTarget;
class SlideViewer;
class VolumeViewer;

class ViewerHost {
 public:
  virtual ~ViewerHost() = default;
  virtual ViewerKind kind() const = 0;
  virtual QWidget* widget() const = 0;
  /// What the "Tools & overlays" panel drives when this viewer is on screen.
  virtual OverlayTarget* overlayTarget() const = 0;
  virtual ShownContent shownContent() const = 0;
  /// A map in the content's geometry (OverlayFit.hpp); refused with the viewer's reason.
  virtual core::Status setHeatmap(core::Volume map) = 0;
  /// A label map already fitted to this viewer (fitLabelMap); refused with the reason.
  virtual core::Status setLabelMap(FittedLabelMap labels) = 0;
  /// Fits the content to the view again (zoom 1, centred).
  virtual void resetView() = 0;
  /// Lets the content go (a slide stops its tile reads, a volume frees its voxels).
  virtual void clear() = 0;
};

std::unique_ptr<ViewerHost> makeViewerHost(ImageViewer2D& viewer);
std::unique_ptr<ViewerHost> makeViewerHost(VolumeViewer& viewer);
std::unique_ptr<ViewerHost> makeViewerHost(SlideViewer& viewer);

}  // namespace meridian::viewers
