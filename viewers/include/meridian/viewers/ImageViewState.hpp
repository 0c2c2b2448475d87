#pragma once
// The 2D viewer's state without a window: what is shown, where, and with which window/
// level. Tests drive it directly (as ITK-SNAP's GUI/Model layer is driven); the widget
// only translates mouse input into these calls and the state into a VTK camera.
// Plain C++: no Qt, no VTK.

#include <array>

#include "meridian/core/Image2D.hpp"

namespace meridian::viewers {

class ImageViewState {
 public:
  /// Sets the image's size (pixels) and pixel spacing (mm, or 1 when unknown) and
  /// resets zoom, pan and window.
  void reset(int imageWidth, int imageHeight, std::array<double, 2> spacing, core::WindowLevel window);

  void setViewSize(int width, int height);
  int viewWidth() const { return viewWidth_; }
  int viewHeight() const { return viewHeight_; }

  /// 1 = the whole image fits the view; 2 = twice as large.
  double zoom() const { return zoom_; }
  /// Multiplies the zoom, keeping the image point under (viewX, viewY) fixed on screen.
  void zoomAbout(double factor, double viewX, double viewY);
  /// Moves the image by (dx, dy) view pixels.
  void panBy(double dx, double dy);

  const core::WindowLevel& window() const { return window_; }
  void setWindow(core::WindowLevel window);
  /// Mouse-drag window/level as in most PACS: right = wider, down = brighter.
  void dragWindow(double dx, double dy);

  /// View pixels (origin top-left) per millimetre (or per pixel when spacing unknown).
  double viewScale() const;
  /// Centre of the view in world coordinates (image pixel index * spacing).
  std::array<double, 2> focalPoint() const { return focal_; }

  /// Image pixel index (x right, y down; centres on integers) -> view pixel.
  std::array<double, 2> imageToView(double x, double y) const;
  /// View pixel -> image pixel index (fractional).
  std::array<double, 2> viewToImage(double vx, double vy) const;

 private:
  int imageWidth_ = 1, imageHeight_ = 1;
  std::array<double, 2> spacing_{1.0, 1.0};
  int viewWidth_ = 1, viewHeight_ = 1;
  double zoom_ = 1.0;
  std::array<double, 2> focal_{0.0, 0.0};
  core::WindowLevel window_{};
  double windowScale_ = 1.0;  // window units per dragged pixel, from the reset window
};

}  // namespace meridian::viewers
