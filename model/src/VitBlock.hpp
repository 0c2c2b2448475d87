#pragma once
// Pre-norm transformer block: x + ls1(attn(norm1 x)), then x + ls2(mlp(norm2 x)).

#include <torch/nn/module.h>
#include <torch/nn/modules/normalization.h>

#include "LayerScale.hpp"
#include "VitAttention.hpp"
#include "VitMlp.hpp"
#include "meridian/model/VitConfig.hpp"

namespace meridian::model {

class VitBlockImpl : public torch::nn::Module {
 public:
  explicit VitBlockImpl(const VitConfig& config);
  /// `attentionWeights`, when given, receives this block's softmax weights [B, heads, T, T].
  torch::Tensor forward(const torch::Tensor& x, torch::Tensor* attentionWeights = nullptr);

  /// Row 0 of forward(x) alone, [B, 1, D] (VitAttention::forwardFirstToken): the last block
  /// of a CLS-pooled ViT, whose other rows nothing reads.
  torch::Tensor forwardFirstToken(const torch::Tensor& x);

  torch::nn::LayerNorm norm1{nullptr};
  VitAttention attn{nullptr};
  LayerScale ls1{nullptr};  // null when LayerScale is off
  torch::nn::LayerNorm norm2{nullptr};
  VitMlp mlp{nullptr};
  LayerScale ls2{nullptr};
};
TORCH_MODULE(VitBlock);

}  // namespace meridian::model
