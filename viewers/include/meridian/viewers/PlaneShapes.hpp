#pragma once
// Label shapes on a volume's MPR planes, between the two places they live: the plane's pixel
// grid (PlaneGrid, where the viewer draws and hits them, one voxel slice at a time) and patient
// space (LPS, mm: where a project stores them, independent of how a viewer lays out its
// planes). Plain C++: no Qt, no VTK.
//
// A shape on voxel slice k of a plane lies at the depth where its centroid is on voxel slice k
// (for volumes stored along the patient's axes, the depth of the whole slice; on an oblique
// volume the plane through the shape's centroid on that slice).

#include <array>
#include <optional>
#include <vector>

#include "meridian/viewers/MprGeometry.hpp"

namespace meridian::viewers {

/// Patient mm along the plane's normal of voxel slice `slice` (not clamped).
double sliceDepth(const VolumeGeometry& geometry, Plane plane, int slice);

/// Plane pixels drawn on voxel slice `slice` of `plane` -> patient points (LPS, mm).
std::vector<std::array<double, 3>> planeToPatient(const VolumeGeometry& geometry, Plane plane, int slice,
                                                  const std::vector<std::array<double, 2>>& pixels);

/// Where patient points lie on `plane`: the voxel slice nearest their centroid and their plane
/// pixels. nullopt for no points, or when that slice is outside the volume.
struct PlanePlacement {
  int slice = 0;
  std::vector<std::array<double, 2>> pixels;
};
std::optional<PlanePlacement> patientToPlane(const VolumeGeometry& geometry, Plane plane,
                                             const std::vector<std::array<double, 3>>& points);

}  // namespace meridian::viewers
