#pragma once
// One image file as the 2D picture a model sees: what the reader registry opens, reduced by
// representativeImage (the image itself, a volume's middle axial slice, a slide's overview).
// The image loader that meridian-cli's embed, train, evaluate and evaluate-suite hand to the
// model layer (model::ImageLoader).

#include <filesystem>

#include "meridian/core/Image2D.hpp"
#include "meridian/core/Result.hpp"

namespace meridian::io {

core::Result<core::Image2D> readImage2D(const std::filesystem::path& path);

}  // namespace meridian::io
