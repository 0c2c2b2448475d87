#pragma once
// DINO's multi-crop augmentation on one image: 2 global views and N local views, each a
// random resized crop with a horizontal flip, then photometric changes that suit the
// image: colour jitter, grayscale, blur and solarisation for colour photographs
// (pathology, fundus); intensity jitter (brightness, contrast, gamma) and blur for
// grayscale images (CT, MR, radiographs), where hue and saturation mean nothing.
// Every random draw comes from a generator seeded per (run seed, step, sample), so a view
// is the same whichever process or resumed run draws it.

#include <ATen/ATen.h>

#include <array>
#include <cstdint>
#include <random>
#include <vector>

namespace meridian::model::ssl {

struct MultiCropSettings {
  int globalSize = 224;
  int localSize = 96;
  int localCrops = 6;
  double globalScaleMin = 0.4, globalScaleMax = 1.0;
  double localScaleMin = 0.05, localScaleMax = 0.4;
  std::array<float, 3> mean{0.485f, 0.456f, 0.406f};
  std::array<float, 3> std{0.229f, 0.224f, 0.225f};
};

class MultiCropAugmenter {
 public:
  explicit MultiCropAugmenter(const MultiCropSettings& settings);

  /// `image`: uint8 [3, H, W]. Returns 2 + localCrops normalised float views [3, S, S],
  /// the global ones first.
  std::vector<at::Tensor> views(const at::Tensor& image, bool colour, std::uint64_t sampleSeed) const;

  const MultiCropSettings& settings() const { return settings_; }

 private:
  at::Tensor randomResizedCrop(const at::Tensor& image, int size, double scaleMin, double scaleMax,
                               std::mt19937_64& rng) const;
  at::Tensor photometric(at::Tensor view, bool colour, double blurProbability, double solarizeProbability,
                         std::mt19937_64& rng) const;
  at::Tensor normalize(const at::Tensor& view) const;

  MultiCropSettings settings_;
  at::Tensor mean_, std_;
};

/// A uniform double in [0, 1) from 53 bits of the generator (the same on every platform,
/// unlike std::uniform_real_distribution).
double uniform01(std::mt19937_64& rng);
/// Mixes a seed with indices into a new, well-spread seed (splitmix64).
std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0);
/// Separable Gaussian blur of a float [C, H, W] view, reflect-padded, radius ceil(3 sigma)
/// capped by the view's size.
at::Tensor gaussianBlur(const at::Tensor& view, double sigma);

}  // namespace meridian::model::ssl
