#include "meridian/viewers/VolumeViewState.hpp"

#include <algorithm>
#include <cmath>

namespace meridian::viewers {
namespace {
double dot(const core::Vec3& a, const core::Vec3& b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
}  // namespace

const std::vector<WindowPreset>& ctWindowPresets() {
  static const std::vector<WindowPreset> presets = {
      {"Lung", {-600.0, 1500.0}}, {"Mediastinum", {50.0, 350.0}}, {"Abdomen", {40.0, 400.0}},
      {"Bone", {400.0, 1800.0}},  {"Brain", {40.0, 80.0}},
  };
  return presets;
}

core::Status VolumeViewState::reset(const VolumeGeometry& geometry, core::WindowLevel window) {
  if (auto status = geometry.validate(); !status) return status;
  geometry_ = geometry;
  for (Plane p : kPlanes) grids_[index(p)] = PlaneGrid::of(p, geometry_);
  crosshair_ =
      geometry_.indexToPhysical({static_cast<double>(geometry_.size[0] / 2), static_cast<double>(geometry_.size[1] / 2),
                                 static_cast<double>(geometry_.size[2] / 2)});
  linked_ = true;
  syncDepthsToCrosshair();
  setWindow(window);
  windowScale_ = std::max(window.width, 1e-6) / 256.0;
  resetViews();
  return core::Ok{};
}

void VolumeViewState::resetViews() {
  for (Plane p : kPlanes) {
    ImageViewState& v = view(p);
    const int w = v.viewWidth(), h = v.viewHeight();
    const PlaneGrid& g = grid(p);
    v.reset(g.width, g.height, {g.su, g.sv}, window_);
    v.setViewSize(w, h);
  }
}

core::Vec3 VolumeViewState::clampToVolume(const core::Vec3& point) const {
  core::Vec3 index = geometry_.physicalToIndex(point);
  for (int a = 0; a < 3; ++a) index[a] = std::clamp(index[a], 0.0, geometry_.size[a] - 1.0);
  return geometry_.indexToPhysical(index);
}

void VolumeViewState::syncDepthsToCrosshair() {
  for (Plane p : kPlanes) depth_[index(p)] = dot(crosshair_, planeAxes(p).normal);
}

void VolumeViewState::setCrosshair(const core::Vec3& point) {
  crosshair_ = clampToVolume(point);
  if (linked_) syncDepthsToCrosshair();
}

void VolumeViewState::setLinked(bool linked) {
  linked_ = linked;
  if (linked_) syncDepthsToCrosshair();
}

int VolumeViewState::sliceIndex(Plane plane) const {
  // The crosshair moved onto the plane shown (they differ only when unlinked).
  const PlaneAxes axes = planeAxes(plane);
  const double shift = depth(plane) - dot(crosshair_, axes.normal);
  const core::Vec3 onPlane{crosshair_[0] + shift * axes.normal[0], crosshair_[1] + shift * axes.normal[1],
                           crosshair_[2] + shift * axes.normal[2]};
  const int axis = sliceAxis(plane);
  const double k = geometry_.physicalToIndex(onPlane)[axis];
  return std::clamp(static_cast<int>(std::lround(k)), 0, geometry_.size[axis] - 1);
}

void VolumeViewState::setSliceIndex(Plane plane, int k) {
  const int axis = sliceAxis(plane);
  k = std::clamp(k, 0, geometry_.size[axis] - 1);
  const PlaneAxes axes = planeAxes(plane);
  const double shift = depth(plane) - dot(crosshair_, axes.normal);
  core::Vec3 onPlane{crosshair_[0] + shift * axes.normal[0], crosshair_[1] + shift * axes.normal[1],
                     crosshair_[2] + shift * axes.normal[2]};
  core::Vec3 idx = geometry_.physicalToIndex(onPlane);
  idx[axis] = k;
  const core::Vec3 target = geometry_.indexToPhysical(idx);
  if (linked_) {
    setCrosshair(target);
  } else {
    depth_[index(plane)] = dot(target, axes.normal);
  }
}

void VolumeViewState::scroll(Plane plane, int steps) {
  if (steps == 0) return;
  // Towards the normal: the slice index moves up or down depending on how the volume is stored.
  const int axis = sliceAxis(plane);
  const core::Vec3 column{geometry_.direction[axis], geometry_.direction[3 + axis], geometry_.direction[6 + axis]};
  const int sign = dot(column, planeAxes(plane).normal) >= 0 ? 1 : -1;
  setSliceIndex(plane, sliceIndex(plane) + sign * steps);
}

void VolumeViewState::pointAt(Plane plane, double px, double py) {
  setCrosshair(grid(plane).physical(px, py, depth(plane)));
}

std::array<double, 2> VolumeViewState::planePixelOfIndex(Plane plane, const core::Vec3& idx) const {
  return grid(plane).pixelOf(geometry_.indexToPhysical(idx));
}

core::Vec3 VolumeViewState::indexAtPixel(Plane plane, double px, double py) const {
  return geometry_.physicalToIndex(grid(plane).physical(px, py, depth(plane)));
}

std::array<double, 2> VolumeViewState::viewPixelOfIndex(Plane plane, const core::Vec3& idx) const {
  const auto p = planePixelOfIndex(plane, idx);
  return view(plane).imageToView(p[0], p[1]);
}

void VolumeViewState::setWindow(core::WindowLevel window) {
  window.width = std::max(window.width, 1e-6);
  window_ = window;
}

void VolumeViewState::dragWindow(double dx, double dy) {
  setWindow({window_.center - dy * windowScale_, window_.width + dx * windowScale_});
}

bool VolumeViewState::applyPreset(const std::string& name) {
  for (const auto& preset : ctWindowPresets()) {
    if (preset.name == name) {
      setWindow(preset.window);
      return true;
    }
  }
  return false;
}

}  // namespace meridian::viewers
