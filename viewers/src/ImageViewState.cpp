#include "meridian/viewers/ImageViewState.hpp"

#include <algorithm>
#include <cmath>

namespace meridian::viewers {

void ImageViewState::reset(int imageWidth, int imageHeight, std::array<double, 2> spacing, core::WindowLevel window) {
  imageWidth_ = std::max(1, imageWidth);
  imageHeight_ = std::max(1, imageHeight);
  spacing_ = {spacing[0] > 0 ? spacing[0] : 1.0, spacing[1] > 0 ? spacing[1] : 1.0};
  zoom_ = 1.0;
  focal_ = {(imageWidth_ - 1) * spacing_[0] / 2.0, (imageHeight_ - 1) * spacing_[1] / 2.0};
  window_ = window;
  windowScale_ = std::max(window.width, 1e-6) / 256.0;
}

void ImageViewState::setViewSize(int width, int height) {
  viewWidth_ = std::max(1, width);
  viewHeight_ = std::max(1, height);
}

double ImageViewState::viewScale() const {
  const double fit = std::min(viewWidth_ / (imageWidth_ * spacing_[0]), viewHeight_ / (imageHeight_ * spacing_[1]));
  return fit * zoom_;
}

void ImageViewState::zoomAbout(double factor, double viewX, double viewY) {
  if (!(factor > 0)) return;
  const auto anchor = viewToImage(viewX, viewY);
  zoom_ = std::clamp(zoom_ * factor, 0.05, 200.0);
  // Move the focal point so the anchor stays under the cursor.
  const double s = viewScale();
  focal_[0] = anchor[0] * spacing_[0] - (viewX - viewWidth_ / 2.0) / s;
  focal_[1] = anchor[1] * spacing_[1] - (viewY - viewHeight_ / 2.0) / s;
}

void ImageViewState::panBy(double dx, double dy) {
  const double s = viewScale();
  focal_[0] -= dx / s;
  focal_[1] -= dy / s;
}

void ImageViewState::setWindow(core::WindowLevel window) {
  window.width = std::max(window.width, 1e-6);
  window_ = window;
}

void ImageViewState::dragWindow(double dx, double dy) {
  setWindow({window_.center - dy * windowScale_, window_.width + dx * windowScale_});
}

std::array<double, 2> ImageViewState::imageToView(double x, double y) const {
  const double s = viewScale();
  return {viewWidth_ / 2.0 + (x * spacing_[0] - focal_[0]) * s, viewHeight_ / 2.0 + (y * spacing_[1] - focal_[1]) * s};
}

std::array<double, 2> ImageViewState::viewToImage(double vx, double vy) const {
  const double s = viewScale();
  return {((vx - viewWidth_ / 2.0) / s + focal_[0]) / spacing_[0], ((vy - viewHeight_ / 2.0) / s + focal_[1]) / spacing_[1]};
}

}  // namespace meridian::viewers
