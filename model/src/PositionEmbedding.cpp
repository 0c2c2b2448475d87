#include "PositionEmbedding.hpp"

#include <torch/nn/functional/upsampling.h>

#include <cmath>
#include <stdexcept>

namespace meridian::model {

at::Tensor interpolatePositionEmbedding(const at::Tensor& posEmbed, int gridH, int gridW) {
  const int64_t patches = posEmbed.size(1) - 1;
  const int64_t g = static_cast<int64_t>(std::lround(std::sqrt(static_cast<double>(patches))));
  if (g * g != patches) throw std::logic_error("position embedding is not a square grid");
  if (g == gridH && g == gridW) return posEmbed;
  const int64_t dim = posEmbed.size(2);
  const auto cls = posEmbed.slice(1, 0, 1);
  const auto grid = posEmbed.slice(1, 1).reshape({1, g, g, dim}).permute({0, 3, 1, 2});
  namespace F = torch::nn::functional;
  const auto resized = F::interpolate(
      grid,
      F::InterpolateFuncOptions().size(std::vector<int64_t>{gridH, gridW}).mode(torch::kBicubic).align_corners(false));
  return at::cat({cls, resized.permute({0, 2, 3, 1}).reshape({1, int64_t{gridH} * gridW, dim})}, 1);
}

}  // namespace meridian::model
