#include "meridian/viewers/PlaneShapes.hpp"

#include <cmath>

namespace meridian::viewers {
namespace {
double dot(const core::Vec3& a, const core::Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
}  // namespace

double sliceDepth(const VolumeGeometry& geometry, Plane plane, int slice) {
  const int axis = geometry.axisAlong(planeAxes(plane).normal);
  core::Vec3 index{(geometry.size[0] - 1) / 2.0, (geometry.size[1] - 1) / 2.0, (geometry.size[2] - 1) / 2.0};
  index[static_cast<std::size_t>(axis)] = slice;
  return dot(geometry.indexToPhysical(index), planeAxes(plane).normal);
}

std::vector<std::array<double, 3>> planeToPatient(const VolumeGeometry& geometry, Plane plane, int slice,
                                                  const std::vector<std::array<double, 2>>& pixels) {
  const PlaneGrid grid = PlaneGrid::of(plane, geometry);
  double depth = sliceDepth(geometry, plane, slice);
  if (!pixels.empty()) {
    // The depth at which the shape's centroid lies on voxel slice `slice` (the same as the
    // slice centre's for a volume stored along the patient's axes): patientToPlane finds
    // the slice again from the centroid, also on an oblique volume.
    double cx = 0.0, cy = 0.0;
    for (const auto& p : pixels) cx += p[0] / static_cast<double>(pixels.size()), cy += p[1] / static_cast<double>(pixels.size());
    const auto axis = static_cast<std::size_t>(geometry.axisAlong(planeAxes(plane).normal));
    const double at0 = geometry.physicalToIndex(grid.physical(cx, cy, 0.0))[axis];
    const double perMm = geometry.physicalToIndex(grid.physical(cx, cy, 1.0))[axis] - at0;
    if (std::abs(perMm) > 1e-12) depth = (slice - at0) / perMm;
  }
  std::vector<std::array<double, 3>> out;
  out.reserve(pixels.size());
  for (const auto& p : pixels) out.push_back(grid.physical(p[0], p[1], depth));
  return out;
}

std::optional<PlanePlacement> patientToPlane(const VolumeGeometry& geometry, Plane plane,
                                             const std::vector<std::array<double, 3>>& points) {
  if (points.empty()) return std::nullopt;
  core::Vec3 centroid{0.0, 0.0, 0.0};
  for (const auto& p : points)
    for (std::size_t a = 0; a < 3; ++a) centroid[a] += p[a] / static_cast<double>(points.size());
  const int axis = geometry.axisAlong(planeAxes(plane).normal);
  const long slice = std::lround(geometry.physicalToIndex(centroid)[static_cast<std::size_t>(axis)]);
  if (slice < 0 || slice >= geometry.size[static_cast<std::size_t>(axis)]) return std::nullopt;
  const PlaneGrid grid = PlaneGrid::of(plane, geometry);
  PlanePlacement placed;
  placed.slice = static_cast<int>(slice);
  placed.pixels.reserve(points.size());
  for (const auto& p : points) placed.pixels.push_back(grid.pixelOf(p));
  return placed;
}

}  // namespace meridian::viewers
