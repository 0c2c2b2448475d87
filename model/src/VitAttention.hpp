#pragma once
// Multi-head self-attention with one fused qkv projection (timm's layout; torchvision's
// in_proj_weight is the same matrix). Returns the weights only when asked: the map
// path materialises the T x T matrix, the default path lets LibTorch fuse it.

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

namespace meridian::model {

class VitAttentionImpl : public torch::nn::Module {
 public:
  VitAttentionImpl(int dim, int heads, bool qkvBias);

  /// x: [B, T, D]. When `weights` is given it receives the softmax weights
  /// [B, heads, T, T] and the output is computed from them.
  torch::Tensor forward(const torch::Tensor& x, torch::Tensor* weights = nullptr);

  /// The output of the first token alone, [B, 1, D]: its query against every token's key
  /// and value, the same arithmetic as row 0 of forward(). What the last block of a
  /// CLS-pooled ViT needs (Vit.cpp): no query, projection or MLP for the other tokens.
  torch::Tensor forwardFirstToken(const torch::Tensor& x);

  int heads;
  torch::nn::Linear qkv;
  torch::nn::Linear proj;

 private:
  /// Without autograd (inference, CLS maps, rollout): the same arithmetic in fewer passes
  /// over memory (see the .cpp).
  torch::Tensor forwardInference(const torch::Tensor& x, torch::Tensor* weights);
};
TORCH_MODULE(VitAttention);

}  // namespace meridian::model
