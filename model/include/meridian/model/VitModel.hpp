#pragma once
// A Vision Transformer ready for inference, behind a torch-free interface (pimpl):
// ui/ and app/ include this header without compiling LibTorch.
//
//   auto model = VitModel::load("models/chest-vit");          // model.json + weights.safetensors
//   auto prediction = model.value()->predict(image);           // probabilities + embedding
//   auto map = model.value()->clsAttention(image);             // last-layer CLS attention
//   auto rollout = model.value()->explain(image, ExplainMethod::Rollout);
//   model.value()->setPrecision(Precision::BFloat16);           // where the CPU has bf16

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "meridian/core/Image2D.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/model/AttentionMap.hpp"
#include "meridian/model/ExplainMethod.hpp"
#include "meridian/model/InputBatch.hpp"
#include "meridian/model/ModelCard.hpp"
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

  /// A model folder as save() writes it: model.json and weights.safetensors. The weights'
  /// SHA-256 must equal provenance.weights_sha256 in model.json (a mismatch is refused with
  /// both hashes in the message: the weights are not the ones the card describes).
  static core::Result<std::unique_ptr<VitModel>> load(const std::filesystem::path& directory);
  /// A safetensors file in torchvision or timm layout, with the architecture given.
  static core::Result<std::unique_ptr<VitModel>> load(const std::filesystem::path& safetensors, const VitConfig& config,
                                                      WeightLayout layout = WeightLayout::Auto,
                                                      const PreprocessConfig& preprocess = {});
  /// Freshly initialised weights (truncated-normal, like timm), reproducible from `seed`.
  static core::Result<std::unique_ptr<VitModel>> create(const VitConfig& config, std::uint64_t seed,
                                                        const PreprocessConfig& preprocess = {});

  /// Writes weights.safetensors (timm layout) and then model.json into `directory`, each
  /// atomically; model.json records the weights' SHA-256 (card().provenance.weightsSha256
  /// is updated to it) and the creation time when the card has none. Refuses a card whose
  /// tasks do not fit the head (checkTasksFitHead).
  core::Status save(const std::filesystem::path& directory) const;

  /// Name, modality, tasks with label names, provenance: saved in model.json.
  const ModelCard& card() const;
  /// Replaces the card; save() and the label lookups check it against the head.
  void setCard(ModelCard card);

  const VitConfig& config() const;
  const PreprocessConfig& preprocessConfig() const;

  /// Chooses the forward pass's precision (default Float32). BFloat16 becomes active only
  /// where bf16Support() says the CPU has it; otherwise the model stays in Float32 and the
  /// returned reason says why. Not thread-safe against a concurrent predict().
  PrecisionChoice setPrecision(Precision precision);
  /// The precision forward passes run in now.
  Precision precision() const;

  /// Runs forward passes on `device`: "cpu" (the default), "cuda" or "cuda:N". Refused,
  /// with the reason, when LibTorch was built without CUDA (Debian's 1.13) or there is no
  /// such GPU; the model stays where it was. Inputs and outputs stay in host memory. On a
  /// GPU, BFloat16 is taken as available (every GPU with CUDA 12+ has it). A batch that
  /// runs out of device memory is finished in smaller chunks (logged), not refused.
  core::Status setDevice(const std::string& device);
  /// "cpu", "cuda:0", ...
  std::string device() const;

  /// Whether `image` is the kind the model takes (preprocessConfig().modality; see
  /// checkInputKind in Preprocessor.hpp), and for CT models that its values look like HU
  /// (checkLooksLikeHounsfield). predict() and explain() check the kind themselves;
  /// callers that know the study's DICOM modality ("CT", "MR") pass it here first.
  core::Status checkInputKind(const core::Image2D& image, const std::string& sourceModality = "") const;

  /// Probabilities are a softmax per task when the card splits the head into several tasks.
  core::Result<Prediction> predict(const core::Image2D& image) const;
  core::Result<AttentionMap> clsAttention(const core::Image2D& image) const;

  /// An explanation of the image's prediction (see ExplainMethod) with the letterbox that
  /// places it on the image (toMapVolume() in AttentionMapGeometry.hpp gives the map
  /// convention). `targetClass` (GradientAttention only) is a head output index; -1 = the
  /// top-1 class. Refuses images of the wrong kind like predict().
  core::Result<AttentionMap> explain(const core::Image2D& image, ExplainMethod method, int targetClass = -1) const;
  /// The same on already-preprocessed input (identity letterbox); one map per image, each
  /// for `targetClass` or for its own top-1 class.
  core::Result<std::vector<AttentionMap>> explain(const InputBatch& input, ExplainMethod method,
                                                  int targetClass = -1) const;

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
