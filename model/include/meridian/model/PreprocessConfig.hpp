#pragma once
// How an image becomes the model's input tensor: grayscale to 3 channels, resize keeping
// the aspect ratio, pad to a square, scale to [0, 1], normalise per channel.

#include <array>

namespace meridian::model {

struct PreprocessConfig {
  // ImageNet statistics: what torchvision and timm ViTs were trained with.
  std::array<float, 3> mean{0.485f, 0.456f, 0.406f};
  std::array<float, 3> std{0.229f, 0.224f, 0.225f};
  // Value of padded pixels before normalisation, in [0, 1] (0 = black border).
  float padValue = 0.0f;
};

}  // namespace meridian::model
