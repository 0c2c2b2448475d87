#pragma once
#include <filesystem>

#include "meridian/core/Image2D.hpp"
#include "meridian/core/Result.hpp"

namespace meridian::io {

/// Writes a 2D image; the format follows the extension (.png, .tif, .jpg, .bmp, .nii,
/// .nrrd, .mha). The file appears complete or not at all: it is written beside the
/// target under a temporary name and renamed into place.
core::Status writeImage(const core::Image2D& image, const std::filesystem::path& path);

}  // namespace meridian::io
