#pragma once
#include <cstdint>
#include <filesystem>

#include "meridian/core/Result.hpp"

namespace meridian::io::detail {

/// ITK's NIfTI reader returns a truncated file's missing voxels as zeros, silently
/// (measured on a cut .nii and .nii.gz). This checks that a NIfTI-1 file holds the
/// voxels its header promises: for .nii the file size against vox_offset + data bytes,
/// for .nii.gz the gzip trailer's uncompressed size (ISIZE, modulo 2^32).
core::Status checkNiftiLength(const std::filesystem::path& path, std::uint64_t dataBytes);

}  // namespace meridian::io::detail
