#pragma once
// DINO's projection head: a 3-layer MLP (GELU) to a bottleneck, L2-normalised, then a
// weight-normalised linear layer onto K prototypes whose norms stay fixed at 1
// ("norm_last_layer" in the reference code), which keeps the output from collapsing
// through growing prototype norms.

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>

namespace meridian::model::ssl {

class DinoHeadImpl : public torch::nn::Module {
 public:
  DinoHeadImpl(int inDim, int hiddenDim, int bottleneckDim, int prototypes);

  /// Bottleneck embedding (L2-normalised), [B, bottleneck].
  torch::Tensor embed(const torch::Tensor& features);
  /// Prototype logits, [B, K].
  torch::Tensor forward(const torch::Tensor& features);

  torch::nn::Linear fc1{nullptr}, fc2{nullptr}, fc3{nullptr};
  torch::Tensor prototypes;  // [K, bottleneck], used divided by its row norms
};
TORCH_MODULE(DinoHead);

}  // namespace meridian::model::ssl
