#pragma once
// Geometry of multiplanar reformatting (MPR), without Qt or VTK: where a voxel of a volume
// lies in patient space (LPS, mm) and where a point of patient space lies on the pixel grid
// of an axial, coronal or sagittal plane. The planes are the patient's planes, not the
// voxel array's: a volume stored flipped, permuted or rotated (its direction cosines) is
// shown the right way round, because every plane pixel is mapped to a continuous voxel
// index through the direction matrix (planeToIndexMatrix) and resampled from there.
//
// Screen convention (radiological, as in most PACS and in ITK-SNAP/3D Slicer defaults):
//   axial    — seen from the feet:  patient's left on the screen's right, anterior at the top;
//   coronal  — seen from the front: patient's left on the screen's right, superior at the top;
//   sagittal — seen from the left:  anterior on the screen's left, superior at the top.

#include <array>

#include "meridian/core/Result.hpp"
#include "meridian/core/Volume.hpp"

namespace meridian::viewers {

enum class Plane { Axial = 0, Coronal = 1, Sagittal = 2 };
constexpr std::array<Plane, 3> kPlanes = {Plane::Axial, Plane::Coronal, Plane::Sagittal};
const char* toString(Plane plane);

/// The patient-space (LPS) unit vectors of a plane's screen axes: `right` points to the
/// screen's right, `down` to its bottom, `normal` = the direction "next slice" scrolls to.
struct PlaneAxes {
  core::Vec3 right, down, normal;
};
PlaneAxes planeAxes(Plane plane);

/// The patient-direction letter (L/R, P/A, S/I) a patient-space vector points to most.
char orientationLetter(const core::Vec3& direction);

/// Letters at the screen's left, right, top and bottom edges of a plane.
struct OrientationLabels {
  char left, right, top, bottom;
};
OrientationLabels orientationLabels(Plane plane);

/// Where the voxels of a volume are: voxel (i, j, k) at origin + direction * (spacing ⊙ (i, j, k)).
struct VolumeGeometry {
  std::array<int, 3> size{1, 1, 1};
  core::Vec3 spacing{1.0, 1.0, 1.0};
  core::Vec3 origin{0.0, 0.0, 0.0};
  core::Mat3 direction = core::kIdentity3;

  static VolumeGeometry of(const core::Volume& volume);
  /// Refuses non-positive sizes or spacings and a singular direction matrix.
  core::Status validate() const;

  core::Vec3 indexToPhysical(const core::Vec3& index) const;
  /// The inverse of indexToPhysical: continuous voxel index of a patient-space point.
  core::Vec3 physicalToIndex(const core::Vec3& point) const;
  /// The voxel axis (0, 1, 2) whose direction is closest to ±patientAxis.
  int axisAlong(const core::Vec3& patientAxis) const;
  /// Smallest and largest value of (voxel centre · axis) over the volume's voxel centres.
  std::array<double, 2> extentAlong(const core::Vec3& axis) const;
  /// True when the continuous index lies within half a voxel of the voxel grid.
  bool containsIndex(const core::Vec3& index) const;
};

/// The pixel grid a plane is drawn on. Pixel (px, py) at depth d (patient mm along the
/// normal) is the point  (u0 + px·su)·right + (v0 + py·sv)·down + d·normal.
/// The grid covers the volume's voxel centres; its spacing is that of the voxel axes that
/// run along the screen axes, so a volume stored axially is shown without resampling.
struct PlaneGrid {
  Plane plane = Plane::Axial;
  double u0 = 0.0, v0 = 0.0;  // patient mm of pixel (0, 0) along right and down
  double su = 1.0, sv = 1.0;  // mm per pixel along right and down
  int width = 1, height = 1;

  static PlaneGrid of(Plane plane, const VolumeGeometry& geometry);
  core::Vec3 physical(double px, double py, double depth) const;
  /// Plane pixel (fractional) of a patient-space point (its depth is dropped).
  std::array<double, 2> pixelOf(const core::Vec3& point) const;
};

/// Row-major 4x4 matrix mapping a plane's output coordinates (px·su, py·sv, 0, 1) at `depth`
/// to the continuous voxel index of `target` (the volume itself or a map in its space):
/// exactly what vtkImageReslice's ResliceAxes wants when its input has spacing 1 and origin 0.
std::array<double, 16> planeToIndexMatrix(const PlaneGrid& grid, double depth, const VolumeGeometry& target);

}  // namespace meridian::viewers
