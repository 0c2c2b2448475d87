#pragma once
// Gated attention MIL pooling (Ilse, Tomczak & Welling, "Attention-based Deep Multiple
// Instance Learning", ICML 2018): instance embeddings h_k (the ViT's pooled features of
// each slice or patch) get weights
//     a_k = softmax_k( w^T (tanh(V h_k) ⊙ sigmoid(U h_k)) + b_w )
// and the bag embedding z = Σ a_k h_k goes through a linear classifier.
// The weights live in the model's safetensors file under the `aggregator.` prefix:
//     aggregator.attention_V.weight [L, D]   aggregator.attention_V.bias [L]
//     aggregator.attention_U.weight [L, D]   aggregator.attention_U.bias [L]
//     aggregator.attention_w.weight [1, L]   aggregator.attention_w.bias [1]
//     aggregator.classifier.weight  [C, D]   aggregator.classifier.bias  [C]
// Bag probabilities are softmax over C classes (sigmoid when C == 1). A model without
// these tensors has no aggregator: pipelines then report mean/max only and say so; no
// weights are ever made up. Torch-free interface (pimpl).

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "meridian/core/Result.hpp"

namespace meridian::model {

struct AttentionPoolResult {
  bool available = false;
  std::string reason;                // why not available ("the model has no aggregator.* weights")
  std::vector<float> probabilities;  // C bag-level probabilities
  std::vector<float> weights;        // one attention weight per instance, summing to 1
};

class AttentionPool {
 public:
  ~AttentionPool();
  AttentionPool(AttentionPool&&) noexcept;
  AttentionPool& operator=(AttentionPool&&) noexcept;

  /// Reads the aggregator.* tensors of a safetensors file. Returns an empty pointer when
  /// the file has none; an error when they are present but incomplete, of the wrong
  /// dtype, or of shapes that do not fit together (the message names the tensor).
  static core::Result<std::unique_ptr<AttentionPool>> load(const std::filesystem::path& safetensors);

  int embedDim() const;
  int hiddenDim() const;
  int classes() const;

  /// Pools one bag: `embeddings` holds instances x embedDim() floats, row-major.
  core::Result<AttentionPoolResult> pool(const std::vector<float>& embeddings, int instances) const;

 private:
  struct Impl;
  explicit AttentionPool(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// The model folder's weights file: weights.safetensors, or model.safetensors in folders
/// written before the rename. Empty when neither exists.
std::filesystem::path modelWeightsFile(const std::filesystem::path& modelDirectory);

/// The file that holds a model folder's aggregator: aggregator.safetensors beside model.json.
/// It is kept apart from weights.safetensors so that VitModel::load/save (which check every
/// tensor against the ViT and hash that file) stay exact, and a trained aggregator can be added
/// to a folder without changing the backbone's weights or their SHA-256.
std::filesystem::path modelAggregatorFile(const std::filesystem::path& modelDirectory);

/// Loads the aggregator of a model folder (empty pointer when it has no aggregator.safetensors).
core::Result<std::unique_ptr<AttentionPool>> loadModelAggregator(const std::filesystem::path& modelDirectory);

/// Pools with `pool` when it exists, else returns available = false with the reason.
AttentionPoolResult poolOrExplain(const AttentionPool* pool, const std::vector<float>& embeddings, int instances);

}  // namespace meridian::model
