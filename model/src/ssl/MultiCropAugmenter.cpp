#include "MultiCropAugmenter.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace meridian::model::ssl {

double uniform01(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0);
}

std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t a, std::uint64_t b) {
  auto splitmix = [](std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
  };
  return splitmix(splitmix(splitmix(seed) ^ a) ^ b);
}

namespace {

double uniform(std::mt19937_64& rng, double low, double high) {
  return low + (high - low) * uniform01(rng);
}

at::Tensor grayOf(const at::Tensor& view) {
  return (0.299 * view[0] + 0.587 * view[1] + 0.114 * view[2]).unsqueeze(0);
}

}  // namespace

at::Tensor gaussianBlur(const at::Tensor& view, double sigma) {
  // Separable, reflect-padded: the kernel covers 3 sigma, capped by the view. Each pass is a
  // weighted sum of 2r + 1 shifted slices: a few element-wise passes over a [3, S, S] view,
  // where a depthwise conv2d went through im2col and a one-row fp32 sgemm per channel (issue 19:
  // the blur was most of the augmentation's time).
  const int maxRadius = static_cast<int>(std::min(view.size(1), view.size(2))) / 2 - 1;
  const int radius = std::max(1, std::min(maxRadius, static_cast<int>(std::ceil(3.0 * sigma))));
  std::vector<double> kernel(static_cast<std::size_t>(2 * radius + 1));
  double sum = 0;
  for (int i = -radius; i <= radius; ++i) {
    const double tap = std::exp(-(i * i) / (2.0 * sigma * sigma));
    kernel[static_cast<std::size_t>(i + radius)] = tap;
    sum += tap;
  }
  for (auto& w : kernel) w /= sum;
  const auto padded = at::reflection_pad2d(view.unsqueeze(0), {radius, radius, radius, radius}).squeeze(0);
  const auto h = view.size(1), w = view.size(2);
  auto rows = padded.slice(2, 0, w).mul(kernel[0]);  // along x: [3, H + 2r, W]
  for (int i = 1; i <= 2 * radius; ++i) rows.add_(padded.slice(2, i, i + w), kernel[static_cast<std::size_t>(i)]);
  auto out = rows.slice(1, 0, h).mul(kernel[0]);  // along y: [3, H, W]
  for (int i = 1; i <= 2 * radius; ++i) out.add_(rows.slice(1, i, i + h), kernel[static_cast<std::size_t>(i)]);
  return out;
}

MultiCropAugmenter::MultiCropAugmenter(const MultiCropSettings& settings)
    : settings_(settings),
      mean_(at::tensor(std::vector<float>(settings.mean.begin(), settings.mean.end())).view({3, 1, 1})),
      std_(at::tensor(std::vector<float>(settings.std.begin(), settings.std.end())).view({3, 1, 1})) {}

at::Tensor MultiCropAugmenter::randomResizedCrop(const at::Tensor& image, int size, double scaleMin, double scaleMax,
                                                 std::mt19937_64& rng) const {
  const auto height = image.size(1), width = image.size(2);
  const double area = static_cast<double>(height * width);
  std::int64_t cropW = width, cropH = height, top = 0, left = 0;
  // torchvision's RandomResizedCrop: 10 tries at a scale and aspect ratio in [3/4, 4/3],
  // else the whole image.
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target = area * uniform(rng, scaleMin, scaleMax);
    const double ratio = std::exp(uniform(rng, std::log(3.0 / 4.0), std::log(4.0 / 3.0)));
    const auto w = static_cast<std::int64_t>(std::lround(std::sqrt(target * ratio)));
    const auto h = static_cast<std::int64_t>(std::lround(std::sqrt(target / ratio)));
    if (w > 0 && h > 0 && w <= width && h <= height) {
      cropW = w;
      cropH = h;
      top = static_cast<std::int64_t>(uniform01(rng) * static_cast<double>(height - h + 1));
      left = static_cast<std::int64_t>(uniform01(rng) * static_cast<double>(width - w + 1));
      break;
    }
  }
  auto crop = image.slice(1, top, top + cropH).slice(2, left, left + cropW).to(at::kFloat).div(255.0);
  auto resized = at::upsample_bilinear2d(crop.unsqueeze(0), {size, size}, /*align_corners=*/false).squeeze(0);
  if (uniform01(rng) < 0.5) resized = resized.flip({2});
  return resized;
}

at::Tensor MultiCropAugmenter::photometric(at::Tensor view, bool colour, double blurProbability,
                                           double solarizeProbability, std::mt19937_64& rng) const {
  if (colour) {
    if (uniform01(rng) < 0.8) {  // colour jitter (brightness 0.4, contrast 0.4, saturation 0.2)
      view = view * uniform(rng, 0.6, 1.4);
      const auto meanGray = grayOf(view).mean();
      view = (view - meanGray) * uniform(rng, 0.6, 1.4) + meanGray;
      const auto gray = grayOf(view);
      view = (view - gray) * uniform(rng, 0.8, 1.2) + gray;
      view = view.clamp(0.0, 1.0);
    }
    if (uniform01(rng) < 0.2) view = grayOf(view).expand({3, -1, -1}).contiguous();
  } else if (uniform01(rng) < 0.8) {  // intensity jitter: window shift, contrast, gamma
    view = (view - 0.5) * uniform(rng, 0.7, 1.3) + 0.5 + uniform(rng, -0.15, 0.15);
    view = view.clamp(0.0, 1.0).pow(std::exp(uniform(rng, std::log(0.7), std::log(1.5))));
  }
  if (uniform01(rng) < blurProbability) view = gaussianBlur(view, uniform(rng, 0.1, 2.0));
  if (uniform01(rng) < solarizeProbability) view = at::where(view >= 0.5, 1.0 - view, view);
  return view;
}

at::Tensor MultiCropAugmenter::normalize(const at::Tensor& view) const {
  return ((view - mean_) / std_).contiguous();
}

std::vector<at::Tensor> MultiCropAugmenter::views(const at::Tensor& image, bool colour,
                                                  std::uint64_t sampleSeed) const {
  std::mt19937_64 rng(sampleSeed);
  const auto& s = settings_;
  std::vector<at::Tensor> out;
  out.reserve(static_cast<std::size_t>(2 + s.localCrops));
  // DINO's asymmetric global views: always blurred vs. rarely blurred and sometimes solarised.
  out.push_back(normalize(photometric(randomResizedCrop(image, s.globalSize, s.globalScaleMin, s.globalScaleMax, rng),
                                      colour, 1.0, 0.0, rng)));
  out.push_back(normalize(photometric(randomResizedCrop(image, s.globalSize, s.globalScaleMin, s.globalScaleMax, rng),
                                      colour, 0.1, 0.2, rng)));
  for (int i = 0; i < s.localCrops; ++i)
    out.push_back(normalize(photometric(randomResizedCrop(image, s.localSize, s.localScaleMin, s.localScaleMax, rng),
                                        colour, 0.5, 0.0, rng)));
  return out;
}

}  // namespace meridian::model::ssl
