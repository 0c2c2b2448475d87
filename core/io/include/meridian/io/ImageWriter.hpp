#pragma once
#include <filesystem>

#include "meridian/core/Image2D.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/core/Volume.hpp"

namespace meridian::io {

/// Writes a 2D image; the format follows the extension (.png, .tif/.tiff, .bmp, .nii,
/// .nii.gz, .nrrd, .mha). The file appears complete or not at all: it is written beside
/// the target under a temporary name and renamed into place.
core::Status writeImage(const core::Image2D& image, const std::filesystem::path& path);

/// Writes a volume with its geometry (spacing, origin, direction in LPS) as NIfTI
/// (.nii, .nii.gz), NRRD (.nrrd) or MetaImage (.mha), atomically as writeImage does.
/// Two-file formats (.mhd/.raw, .nhdr) are refused: they cannot be renamed into place
/// as one piece.
core::Status writeVolume(const core::Volume& volume, const std::filesystem::path& path);

}  // namespace meridian::io
