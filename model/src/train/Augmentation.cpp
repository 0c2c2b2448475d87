#include "Augmentation.hpp"

#include <torch/nn/functional/upsampling.h>

#include <cmath>
#include <vector>

namespace meridian::model::train {

namespace {

double uniform(double low, double high) {
  return low + (high - low) * at::rand({1}, at::kDouble).item<double>();
}
bool coin() {
  return at::rand({1}, at::kDouble).item<double>() < 0.5;
}

/// A crop of 50-100% of the area with aspect 3/4..4/3, resized back to the full size.
at::Tensor randomResizedCrop(const at::Tensor& image) {
  const auto h = image.size(1), w = image.size(2);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double area = uniform(0.5, 1.0) * static_cast<double>(h * w);
    const double aspect = std::exp(uniform(std::log(3.0 / 4.0), std::log(4.0 / 3.0)));
    const auto cw = static_cast<std::int64_t>(std::round(std::sqrt(area * aspect)));
    const auto ch = static_cast<std::int64_t>(std::round(std::sqrt(area / aspect)));
    if (cw < 1 || ch < 1 || cw > w || ch > h) continue;
    const auto top = static_cast<std::int64_t>(uniform(0.0, static_cast<double>(h - ch) + 0.999));
    const auto left = static_cast<std::int64_t>(uniform(0.0, static_cast<double>(w - cw) + 0.999));
    const auto crop = image.slice(1, top, top + ch).slice(2, left, left + cw).unsqueeze(0);
    namespace F = torch::nn::functional;
    return F::interpolate(crop, F::InterpolateFuncOptions()
                                    .size(std::vector<std::int64_t>{h, w})
                                    .mode(torch::kBilinear)
                                    .align_corners(false))
        .squeeze(0);
  }
  return image;
}

at::Tensor colourJitter(at::Tensor x) {
  x = x * uniform(0.8, 1.2);
  const auto mean = x.mean();
  x = (x - mean) * uniform(0.8, 1.2) + mean;
  const auto grey = (0.299 * x[0] + 0.587 * x[1] + 0.114 * x[2]).unsqueeze(0);
  x = grey + (x - grey) * uniform(0.8, 1.2);
  return x.clamp(0.0, 1.0);
}

at::Tensor intensityJitter(const at::Tensor& x) {
  return (x * uniform(0.9, 1.1) + uniform(-0.05, 0.05)).clamp(0.0, 1.0);
}

}  // namespace

at::Tensor augmentBatch(const at::Tensor& batch, const PreprocessConfig& preprocess) {
  const auto mean = at::tensor(std::vector<float>(preprocess.mean.begin(), preprocess.mean.end())).view({3, 1, 1});
  const auto std = at::tensor(std::vector<float>(preprocess.std.begin(), preprocess.std.end())).view({3, 1, 1});
  const auto modality = preprocess.modality;
  const bool colour = modality == InputModality::Color || modality == InputModality::Any;
  std::vector<at::Tensor> out;
  for (std::int64_t i = 0; i < batch.size(0); ++i) {
    auto x = batch[i] * std + mean;  // back to [0, 1]
    if (coin()) x = x.flip({2});
    if (modality == InputModality::Color && coin()) x = x.flip({1});
    x = randomResizedCrop(x);
    x = colour ? colourJitter(x) : intensityJitter(x);
    out.push_back((x - mean) / std);
  }
  return at::stack(out);
}

}  // namespace meridian::model::train
