#pragma once
// NIfTI-1 files (.nii, .nii.gz) written by Meridian itself (issue 16): the header
// (NiftiHeader.hpp) and the voxels go straight from memory into a core::AtomicFile, gzip
// through zlib. Every write is checked (and fsync'ed at commit), so, unlike the ITK writers,
// nothing needs reading back: converting a series to NIfTI neither loads ITK nor reads the
// output again.

#include <cstddef>
#include <filesystem>

#include "NiftiHeader.hpp"
#include "meridian/core/AtomicFile.hpp"
#include "meridian/core/Result.hpp"

namespace meridian::io::detail {

/// gzip level of .nii.gz: zlib's default (6), what ITK's NIfTI writer used (its files carry
/// gzip's "default level" flag) and dcm2niix's default (`-6`).
inline constexpr int kNiftiGzipLevel = 6;

/// Writes `bytes` voxels (x fastest; colour interleaved) behind the header of `geometry`, gzipped
/// when `gzip`, atomically at `path` as `policy` allows. Io errors name the file.
core::Status writeNifti(const NiftiGeometry& geometry, const void* voxels, std::size_t bytes,
                        const std::filesystem::path& path, bool gzip, const core::OutputPolicy& policy);

}  // namespace meridian::io::detail
