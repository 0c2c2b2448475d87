#pragma once
// The volume viewer's state without a window: the crosshair (a patient-space point, LPS mm),
// the slice each plane shows, per-plane zoom and pan, and one window/level shared by the
// three planes. Tests drive it directly; VolumeViewer only turns mouse input into these
// calls and the state into VTK reslice matrices and cameras. Plain C++: no Qt, no VTK.

#include <array>
#include <string>
#include <vector>

#include "meridian/core/Image2D.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/viewers/ImageViewState.hpp"
#include "meridian/viewers/MprGeometry.hpp"

namespace meridian::viewers {

struct WindowPreset {
  std::string name;
  core::WindowLevel window;  // in Hounsfield units
};

/// CT window presets (level/width in HU): lung -600/1500, mediastinum 50/350, abdomen
/// 40/400, bone 400/1800, brain 40/80. These are the common radiology defaults as listed by
/// Radiopaedia, "Windowing (CT)" (radiopaedia.org/articles/windowing-ct); scanners and PACS
/// vary a little (lung -600/1600, bone 300/1500 also occur).
const std::vector<WindowPreset>& ctWindowPresets();

class VolumeViewState {
 public:
  /// Starts over with a new volume: crosshair at the centre voxel, every plane fitted to its
  /// view, the given window. Fails (state unchanged) on an invalid geometry.
  core::Status reset(const VolumeGeometry& geometry, core::WindowLevel window);
  const VolumeGeometry& geometry() const { return geometry_; }
  const PlaneGrid& grid(Plane plane) const { return grids_[index(plane)]; }

  // --- crosshair and slices -------------------------------------------------------------
  /// The crosshair in patient space (LPS, mm); always inside the volume.
  const core::Vec3& crosshair() const { return crosshair_; }
  /// Moves the crosshair (clamped into the volume). Linked: every plane follows it.
  void setCrosshair(const core::Vec3& point);
  /// Linked (default): the three planes always pass through the crosshair, so a click in one
  /// plane moves the others' slices. Unlinked: each plane keeps its own slice; clicks only
  /// move the crosshair point. Linking again puts every plane back through the crosshair.
  void setLinked(bool linked);
  bool linked() const { return linked_; }

  /// Patient mm along the plane's normal of the plane shown.
  double depth(Plane plane) const { return depth_[index(plane)]; }
  /// The voxel axis whose slices the plane shows (the one closest to its normal).
  int sliceAxis(Plane plane) const { return geometry_.axisAlong(planeAxes(plane).normal); }
  int sliceCount(Plane plane) const { return geometry_.size[sliceAxis(plane)]; }
  /// Index along sliceAxis() of the voxel slice nearest the plane shown at the crosshair.
  int sliceIndex(Plane plane) const;
  /// Shows voxel slice k (clamped) in the plane; linked, the crosshair moves there too.
  void setSliceIndex(Plane plane, int k);
  /// Scrolls by `steps` voxel slices towards the plane's normal (S, P, L), clamped.
  void scroll(Plane plane, int steps);

  /// A click or drag at plane pixel (px, py): the crosshair goes to that point of the plane.
  void pointAt(Plane plane, double px, double py);

  /// Plane pixel (fractional) where a voxel index lands.
  std::array<double, 2> planePixelOfIndex(Plane plane, const core::Vec3& index) const;
  /// The crosshair on the plane's pixel grid.
  std::array<double, 2> crosshairPixel(Plane plane) const { return grid(plane).pixelOf(crosshair_); }
  /// Continuous voxel index under plane pixel (px, py) of the plane shown.
  core::Vec3 indexAtPixel(Plane plane, double px, double py) const;

  // --- per-plane zoom and pan -----------------------------------------------------------
  /// The plane's 2D view (zoom, pan, plane pixel <-> view pixel). Its own window is unused.
  ImageViewState& view(Plane plane) { return views_[index(plane)]; }
  const ImageViewState& view(Plane plane) const { return views_[index(plane)]; }
  void setViewSize(Plane plane, int width, int height) { view(plane).setViewSize(width, height); }
  /// View pixel (origin top-left) where a voxel lands on screen.
  std::array<double, 2> viewPixelOfIndex(Plane plane, const core::Vec3& index) const;
  /// Fits every plane to its view again (zoom 1, centred).
  void resetViews();

  // --- window/level (shared by the planes) -----------------------------------------------
  const core::WindowLevel& window() const { return window_; }
  void setWindow(core::WindowLevel window);
  /// Mouse drag as in most PACS: right = wider, down = brighter (the level goes down).
  void dragWindow(double dx, double dy);
  /// Applies a preset of ctWindowPresets() by name; false when there is none of that name.
  bool applyPreset(const std::string& name);

 private:
  static std::size_t index(Plane plane) { return static_cast<std::size_t>(plane); }
  core::Vec3 clampToVolume(const core::Vec3& point) const;
  void syncDepthsToCrosshair();

  VolumeGeometry geometry_;
  std::array<PlaneGrid, 3> grids_{};
  std::array<ImageViewState, 3> views_{};
  std::array<double, 3> depth_{0.0, 0.0, 0.0};
  core::Vec3 crosshair_{0.0, 0.0, 0.0};
  bool linked_ = true;
  core::WindowLevel window_{};
  double windowScale_ = 1.0;  // window units per dragged pixel, from the reset window
};

}  // namespace meridian::viewers
