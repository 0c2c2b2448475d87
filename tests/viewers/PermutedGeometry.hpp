#pragma once
// A volume geometry that catches mix-ups of axes, signs and spacings: anisotropic spacing, an
// origin far from zero, and voxel axes permuted and flipped against the patient axes. Shared
// by the volume view state's and the plane shapes' tests, each at the size it needs.

#include <array>

#include "meridian/viewers/MprGeometry.hpp"

namespace meridian::viewers::testing {

// Voxel axis i runs anterior (-y), j runs left (+x), k runs inferior (-z).
inline VolumeGeometry permutedGeometry(std::array<int, 3> size) {
  VolumeGeometry g;
  g.size = size;
  g.spacing = {0.7, 1.3, 2.5};
  g.origin = {-12.5, 30.0, 101.0};
  g.direction = {0,  1, 0,  //
                 -1, 0, 0,  //
                 0,  0, -1};
  return g;
}

}  // namespace meridian::viewers::testing
