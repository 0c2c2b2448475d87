#pragma once
// Gated attention MIL pooling (Ilse et al. 2018) as a torch module; parameter names are
// the safetensors keys without their `aggregator.` prefix (see AggregationAttentionPool.hpp).

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

namespace meridian::model {

struct GatedAttentionOutput {
  torch::Tensor probabilities;  // [C]
  torch::Tensor weights;        // [N] attention over instances, sums to 1
};

class GatedAttentionMilImpl : public torch::nn::Module {
 public:
  GatedAttentionMilImpl(std::int64_t embedDim, std::int64_t hiddenDim, std::int64_t classes);

  /// h: [N, D] instance embeddings of one bag.
  GatedAttentionOutput forward(const torch::Tensor& h);

  int embedDim() const { return static_cast<int>(embedDim_); }
  int hiddenDim() const { return static_cast<int>(hiddenDim_); }
  int classes() const { return static_cast<int>(classes_); }

  torch::nn::Linear attention_V{nullptr};
  torch::nn::Linear attention_U{nullptr};
  torch::nn::Linear attention_w{nullptr};
  torch::nn::Linear classifier{nullptr};

 private:
  std::int64_t embedDim_, hiddenDim_, classes_;
};
TORCH_MODULE(GatedAttentionMil);

}  // namespace meridian::model
