#pragma once
#include <filesystem>
#include <string>

#include "meridian/core/AtomicFile.hpp"
#include "meridian/core/Image2D.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/core/Volume.hpp"

namespace meridian::io {

/// Writes a 2D image; the format follows the last extension, in any case (.png, .tif/.tiff,
/// .bmp, .nii, .nii.gz, .nrrd, .mha). Everything goes through core::AtomicFile: the file
/// appears complete or not at all, `policy` says whether an existing file may be replaced
/// (an input never is). PNG (libpng) and NIfTI (Meridian's own writer, gzip through zlib)
/// go from memory into the file with every write checked, without loading ITK; the other
/// formats are written by ITK into the temporary and read back and compared before the
/// rename, because ITK does not report every failed write (a full disk left truncated
/// MHA/BMP files).
core::Status writeImage(const core::Image2D& image, const std::filesystem::path& path,
                        const core::OutputPolicy& policy = {});

/// Writes a volume with its geometry (spacing, origin, direction in LPS) as NIfTI
/// (.nii, .nii.gz), NRRD (.nrrd) or MetaImage (.mha), atomically as writeImage does.
/// Two-file formats (.mhd/.raw, .nhdr) are refused: they cannot be renamed into place
/// as one piece.
core::Status writeVolume(const core::Volume& volume, const std::filesystem::path& path,
                         const core::OutputPolicy& policy = {});

/// The format suffix the writers go by: ".nii.gz" for "SCAN.NII.GZ", ".nrrd" for
/// "patient.v2.nrrd" (lower case, the last extension; ".nii.gz" the one two-part suffix).
std::string outputFormatSuffix(const std::filesystem::path& path);

}  // namespace meridian::io
