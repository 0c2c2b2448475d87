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

/// As downsample(), but each block mean is stored in one byte: `storedWindow` (stored values,
/// low < high) maps linearly onto 0..255, values outside it are clamped. The copy's rescale is
/// set so that its bytes read in the volume's units (HU for CT): value = byte * slope +
/// intercept, one step = (high - low) / 255 stored values. Half the bytes of an int16 copy and
/// of the 3D texture made from it (under software GL both are process memory).
core::Result<core::Volume> downsampleToBytes(const core::Volume& volume, std::array<int, 3> factors,
                                             std::array<double, 2> storedWindow);

/// The stored values an 8-bit copy of `volume` spans: its value range `storedRange`, for CT
/// cut to -1024..3071 HU (air to dense bone; metal is brighter than every 3D preset's last
/// point, so nothing is lost by clamping it), 16 HU a step.
std::array<double, 2> byteCopyWindow(const core::Volume& volume, std::array<double, 2> storedRange);

}  // namespace meridian::viewers
