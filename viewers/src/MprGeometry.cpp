#include "meridian/viewers/MprGeometry.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace meridian::viewers {
namespace {

double dot(const core::Vec3& a, const core::Vec3& b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

core::Vec3 column(const core::Mat3& m, int c) {
  return {m[c], m[3 + c], m[6 + c]};
}

double determinant(const core::Mat3& m) {
  return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
}

// General inverse, not the transpose: a direction matrix read from a file is orthonormal
// only up to rounding, and sheared ones (gantry tilt resampled by some tools) exist.
core::Mat3 inverse(const core::Mat3& m) {
  const double det = determinant(m);
  const double s = det != 0.0 ? 1.0 / det : 0.0;
  return {(m[4] * m[8] - m[5] * m[7]) * s, (m[2] * m[7] - m[1] * m[8]) * s, (m[1] * m[5] - m[2] * m[4]) * s,
          (m[5] * m[6] - m[3] * m[8]) * s, (m[0] * m[8] - m[2] * m[6]) * s, (m[2] * m[3] - m[0] * m[5]) * s,
          (m[3] * m[7] - m[4] * m[6]) * s, (m[1] * m[6] - m[0] * m[7]) * s, (m[0] * m[4] - m[1] * m[3]) * s};
}

core::Vec3 multiply(const core::Mat3& m, const core::Vec3& v) {
  return {m[0] * v[0] + m[1] * v[1] + m[2] * v[2], m[3] * v[0] + m[4] * v[1] + m[5] * v[2],
          m[6] * v[0] + m[7] * v[1] + m[8] * v[2]};
}

// Q = (direction · diag(spacing))^-1: patient-space displacement -> voxel-index displacement.
core::Mat3 physicalToIndexLinear(const VolumeGeometry& g) {
  core::Mat3 scaled = g.direction;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) scaled[3 * r + c] *= g.spacing[c];
  return inverse(scaled);
}

}  // namespace

const char* toString(Plane plane) {
  switch (plane) {
    case Plane::Axial:
      return "axial";
    case Plane::Coronal:
      return "coronal";
    case Plane::Sagittal:
      return "sagittal";
  }
  return "?";
}

PlaneAxes planeAxes(Plane plane) {
  switch (plane) {
    case Plane::Axial:
      return {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};  // right = L, down = P, next = S
    case Plane::Coronal:
      return {{1, 0, 0}, {0, 0, -1}, {0, 1, 0}};  // right = L, down = I, next = P
    case Plane::Sagittal:
      return {{0, 1, 0}, {0, 0, -1}, {1, 0, 0}};  // right = P, down = I, next = L
  }
  return {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
}

char orientationLetter(const core::Vec3& d) {
  int axis = 0;
  for (int a = 1; a < 3; ++a)
    if (std::abs(d[a]) > std::abs(d[axis])) axis = a;
  static constexpr char kPositive[] = {'L', 'P', 'S'};  // LPS: +x left, +y posterior, +z superior
  static constexpr char kNegative[] = {'R', 'A', 'I'};
  return d[axis] >= 0 ? kPositive[axis] : kNegative[axis];
}

OrientationLabels orientationLabels(Plane plane) {
  const PlaneAxes axes = planeAxes(plane);
  const core::Vec3 left{-axes.right[0], -axes.right[1], -axes.right[2]};
  const core::Vec3 up{-axes.down[0], -axes.down[1], -axes.down[2]};
  return {orientationLetter(left), orientationLetter(axes.right), orientationLetter(up), orientationLetter(axes.down)};
}

VolumeGeometry VolumeGeometry::of(const core::Volume& volume) {
  return {volume.size(), volume.spacing, volume.origin, volume.direction};
}

core::Status VolumeGeometry::validate() const {
  for (int a = 0; a < 3; ++a) {
    if (size[a] < 1) return core::makeError(core::ErrorCode::InvalidArgument, "volume has an empty dimension");
    if (!(spacing[a] > 0) || !std::isfinite(spacing[a]))
      return core::makeError(
          core::ErrorCode::InvalidArgument,
          "volume spacing must be positive, axis " + std::to_string(a) + " has " + std::to_string(spacing[a]));
  }
  if (std::abs(determinant(direction)) < 1e-6)
    return core::makeError(core::ErrorCode::InvalidArgument, "volume direction matrix is singular");
  return core::Ok{};
}

core::Vec3 VolumeGeometry::indexToPhysical(const core::Vec3& index) const {
  const core::Vec3 scaled{index[0] * spacing[0], index[1] * spacing[1], index[2] * spacing[2]};
  const core::Vec3 d = multiply(direction, scaled);
  return {origin[0] + d[0], origin[1] + d[1], origin[2] + d[2]};
}

core::Vec3 VolumeGeometry::physicalToIndex(const core::Vec3& point) const {
  return multiply(physicalToIndexLinear(*this), {point[0] - origin[0], point[1] - origin[1], point[2] - origin[2]});
}

int VolumeGeometry::axisAlong(const core::Vec3& patientAxis) const {
  int best = 0;
  double bestCos = -1.0;
  for (int a = 0; a < 3; ++a) {
    const double c = std::abs(dot(column(direction, a), patientAxis));
    if (c > bestCos) {
      bestCos = c;
      best = a;
    }
  }
  return best;
}

std::array<double, 2> VolumeGeometry::extentAlong(const core::Vec3& axis) const {
  double lo = INFINITY, hi = -INFINITY;
  for (int corner = 0; corner < 8; ++corner) {
    const core::Vec3 index{(corner & 1) ? size[0] - 1.0 : 0.0, (corner & 2) ? size[1] - 1.0 : 0.0,
                           (corner & 4) ? size[2] - 1.0 : 0.0};
    const double v = dot(indexToPhysical(index), axis);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  return {lo, hi};
}

bool VolumeGeometry::containsIndex(const core::Vec3& index) const {
  for (int a = 0; a < 3; ++a)
    if (!(index[a] >= -0.5 && index[a] <= size[a] - 0.5)) return false;
  return true;
}

PlaneGrid PlaneGrid::of(Plane plane, const VolumeGeometry& geometry) {
  const PlaneAxes axes = planeAxes(plane);
  PlaneGrid grid;
  grid.plane = plane;
  grid.su = geometry.spacing[geometry.axisAlong(axes.right)];
  grid.sv = geometry.spacing[geometry.axisAlong(axes.down)];
  const auto u = geometry.extentAlong(axes.right);
  const auto v = geometry.extentAlong(axes.down);
  grid.u0 = u[0];
  grid.v0 = v[0];
  grid.width = static_cast<int>(std::floor((u[1] - u[0]) / grid.su + 0.5)) + 1;
  grid.height = static_cast<int>(std::floor((v[1] - v[0]) / grid.sv + 0.5)) + 1;
  return grid;
}

core::Vec3 PlaneGrid::physical(double px, double py, double depth) const {
  const PlaneAxes a = planeAxes(plane);
  const double u = u0 + px * su, v = v0 + py * sv;
  core::Vec3 p{};
  for (int i = 0; i < 3; ++i) p[i] = u * a.right[i] + v * a.down[i] + depth * a.normal[i];
  return p;
}

std::array<double, 2> PlaneGrid::pixelOf(const core::Vec3& point) const {
  const PlaneAxes a = planeAxes(plane);
  return {(dot(point, a.right) - u0) / su, (dot(point, a.down) - v0) / sv};
}

std::array<double, 16> planeToIndexMatrix(const PlaneGrid& grid, double depth, const VolumeGeometry& target) {
  const core::Mat3 q = physicalToIndexLinear(target);
  const PlaneAxes a = planeAxes(grid.plane);
  const core::Vec3 planeOrigin = grid.physical(0.0, 0.0, depth);
  const core::Vec3 x = multiply(q, a.right), y = multiply(q, a.down), z = multiply(q, a.normal);
  const core::Vec3 t = multiply(
      q, {planeOrigin[0] - target.origin[0], planeOrigin[1] - target.origin[1], planeOrigin[2] - target.origin[2]});
  return {x[0], y[0], z[0], t[0],  //
          x[1], y[1], z[1], t[1],  //
          x[2], y[2], z[2], t[2],  //
          0.0,  0.0,  0.0,  1.0};
}

}  // namespace meridian::viewers
