#pragma once
// A smaller copy of a volume for the 3D view (Qt- and VTK-free). Ray casting copies the
// voxels it draws into a 3D texture -- under software GL (Mesa llvmpipe: Xvfb, remote
// desktops, virtual machines) into the process's own memory -- so a 512x512x300 CT drawn at
// full size costs its voxel bytes a second time (issue 17: RSS <= 2.5x the voxel bytes). A 3D
// view a quarter of a screen wide shows no more than about 512 voxels across anyway.

#include <array>
#include <cstddef>

#include "meridian/core/Result.hpp"
#include "meridian/core/Volume.hpp"

namespace meridian::viewers {

/// Whole-voxel block sizes per axis (1 = kept) that bring `volume` to at most `maxBytes`:
/// the axis with the finest spacing (after its block) grows first, so blocks stay as close
/// to cubes in mm as the grid allows. {1, 1, 1} when it already fits.
std::array<int, 3> downsampleFactors(const core::Volume& volume, std::size_t maxBytes);

/// Each output voxel is the mean of its block of `factors` input voxels (the blocks on the
/// far edges may be cut short); spacing grows by the factors and the origin moves to the
/// centre of the first block, so the copy lies where the volume lies in patient space.
/// Pixel type, channels, rescale and modality are kept; integers are rounded to nearest.
core::Result<core::Volume> downsample(const core::Volume& volume, std::array<int, 3> factors);

}  // namespace meridian::viewers
