#pragma once
// The NIfTI-1 header Meridian writes (issue 16: NIfTI is written without ITK, so `convert` to
// .nii neither loads ITK nor reads its output back). The fields are the ones ITK 5.2's
// NiftiImageIO writes, so files read the same in ITK, nibabel and FSL as before:
// qform_code = sform_code = 1 (scanner), millimetres, scl_slope 1, a single-file "n+1" header
// followed by an empty extension flag; the geometry converted from LPS (DICOM, ITK, Meridian)
// to NIfTI's RAS by negating x and y. tests/core/io/NiftiWriterTest.cpp compares the header
// field by field with the one ITK writes for the same volume.

#include <array>
#include <string>

#include "meridian/core/PixelType.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/core/Volume.hpp"

namespace meridian::io::detail {

/// What the header describes. An image is 2-dimensional: size[2] = 1, unit spacing along z,
/// identity direction and zero origin.
struct NiftiGeometry {
  int dimensions = 3;                 // 2 (an image) or 3 (a volume)
  std::array<int, 3> size{1, 1, 1};   // x (columns), y (rows), z (slices)
  core::PixelType type = core::PixelType::Int16;
  int channels = 1;                   // 1, or 3 for 8-bit RGB (NIfTI's RGB24)
  core::Vec3 spacing{1.0, 1.0, 1.0};
  core::Vec3 origin{0.0, 0.0, 0.0};   // LPS, mm
  core::Mat3 direction = core::kIdentity3;  // LPS, row-major, column c = direction of axis c
};

/// Bytes in front of the voxels: the 348-byte header and the 4-byte extension flag (no extensions).
inline constexpr std::size_t kNiftiVoxelOffset = 352;

/// The header and extension flag, kNiftiVoxelOffset bytes. Unsupported when NIfTI-1 cannot hold
/// the image (an axis longer than 32767, colour other than 8-bit RGB).
core::Result<std::string> niftiHeader(const NiftiGeometry& geometry);

/// The quaternion (b, c, d) and qfac (+1 or -1) of NIfTI's qform for a direction matrix in RAS
/// (row-major, columns the axes; normalised and made orthogonal first, as NIfTI requires).
struct NiftiQuaternion {
  double b = 0, c = 0, d = 0, qfac = 1;
};
NiftiQuaternion niftiQuaternion(const core::Mat3& rasDirection);

}  // namespace meridian::io::detail
