#pragma once
// Turns a core::Image2D into the model's float input (torch-free, so it is tested and
// reused without LibTorch).

#include <vector>

#include "meridian/core/Image2D.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/model/Letterbox.hpp"
#include "meridian/model/PreprocessConfig.hpp"

namespace meridian::model {

struct PreprocessedImage {
  int size = 0;            // square side in pixels
  std::vector<float> chw;  // 3 x size x size, normalised
  Letterbox letterbox;
};

/// Grayscale becomes 3 equal channels. UInt8 is divided by 255; other types are mapped
/// to [0, 1] through the image's display window when it has one, else its value range.
/// Resizing is separable with a triangle filter widened by the downscale factor
/// (antialiased, like PIL's bilinear), so large images do not alias when shrunk.
core::Result<PreprocessedImage> preprocessImage(const core::Image2D& image, int inputSize,
                                                const PreprocessConfig& config = {});

}  // namespace meridian::model
