#pragma once
// A Vision Transformer ready for inference, behind a torch-free interface (pimpl):
// ui/ and app/ include this header without compiling LibTorch.
//
//   auto model = VitModel::load("models/chest-vit");          // config.json + model.safetensors
//   auto prediction = model.value()->predict(image);           // probabilities + embedding
//   auto map = model.value()->clsAttention(image);             // last-layer CLS attention
//   model.value()->setPrecision(Precision::BFloat16);           // where the CPU has bf16

#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "meridian/core/Image2D.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/model/AttentionMap.hpp"
#include "meridian/model/InputBatch.hpp"
#include "meridian/model/Precision.hpp"
#include "meridian/model/Prediction.hpp"
#include "meridian/model/PreprocessConfig.hpp"
#include "meridian/model/VitConfig.hpp"
#include "meridian/model/WeightLayout.hpp"

namespace meridian::model {

class VitModel {
 public:
  ~VitModel();
  VitModel(const VitModel&) = delete;
  VitModel& operator=(const VitModel&) = delete;

  /// A model folder as save() writes it: config.json and model.safetensors.
  static core::Result<std::unique_ptr<VitModel>> load(const std::filesystem::path& directory);
  /// A safetensors file in torchvision or timm layout, with the architecture given.
  static core::Result<std::unique_ptr<VitModel>> load(const std::filesystem::path& safetensors, const VitConfig& config,
                                                      WeightLayout layout = WeightLayout::Auto,
                                                      const PreprocessConfig& preprocess = {});
  /// Freshly initialised weights (truncated-normal, like timm), reproducible from `seed`.
  static core::Result<std::unique_ptr<VitModel>> create(const VitConfig& config, std::uint64_t seed,
                                                        const PreprocessConfig& preprocess = {});

  /// Writes config.json and model.safetensors (timm layout) into `directory`, each atomically.
  core::Status save(const std::filesystem::path& directory) const;

  const VitConfig& config() const;
  const PreprocessConfig& preprocessConfig() const;

  /// Chooses the forward pass's precision (default Float32). BFloat16 becomes active only
  /// where bf16Support() says the CPU has it; otherwise the model stays in Float32 and the
  /// returned reason says why. Not thread-safe against a concurrent predict().
  PrecisionChoice setPrecision(Precision precision);
  /// The precision forward passes run in now.
  Precision precision() const;

  core::Result<Prediction> predict(const core::Image2D& image) const;
  core::Result<AttentionMap> clsAttention(const core::Image2D& image) const;

  /// Batch versions on already-preprocessed input (any size that is a multiple of the
  /// patch size: the position embedding is interpolated when it differs from the config).
  core::Result<std::vector<Prediction>> predict(const InputBatch& input) const;
  /// Attention maps carry an identity letterbox (the input is the image).
  core::Result<std::vector<AttentionMap>> clsAttention(const InputBatch& input) const;

 private:
  struct Impl;
  explicit VitModel(std::unique_ptr<Impl> impl);
  static core::Result<std::unique_ptr<Impl>> makeImpl(const VitConfig& config, const PreprocessConfig& preprocess);
  std::unique_ptr<Impl> impl_;
};

}  // namespace meridian::model
