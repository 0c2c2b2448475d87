#pragma once
// The Vision Transformer (torch::nn). Parameter names follow timm (cls_token, pos_embed,
// reg_token, patch_embed.proj, blocks.N.{norm1,attn.qkv,attn.proj,ls1,norm2,mlp.fc1,
// mlp.fc2,ls2}, norm, head), which is also the layout of Meridian's checkpoints.
// Token order: [CLS, registers..., patches]; registers get no position embedding (DINOv2).

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <functional>
#include <memory>

#include "PatchEmbed.hpp"
#include "VitBlock.hpp"
#include "meridian/model/VitConfig.hpp"

namespace meridian::model {

class LinearCache;

/// Receives the softmax attention weights [B, heads, T, T] of every block as the forward
/// pass computes them (layer 0 first): what rollout and gradient-weighted maps are built
/// from. Those blocks take the explicit attention path instead of the fused kernel.
using AttentionTap = std::function<void(std::size_t layer, const torch::Tensor& weights)>;

struct VitOutput {
  torch::Tensor features;      // [B, D] pooled after the final norm
  torch::Tensor logits;        // [B, classes], undefined without a head
  torch::Tensor clsAttention;  // [B, heads, patches] last block, only when asked
};

class VitImpl : public torch::nn::Module {
 public:
  explicit VitImpl(const VitConfig& config);

  /// x: [B, 3, H, W] with H and W multiples of the patch size. Other sizes than the
  /// configured one interpolate the position embedding.
  VitOutput forward(const torch::Tensor& x, bool withClsAttention = false, const AttentionTap* tap = nullptr);

  /// Tokens before the patches: CLS and the registers.
  int prefixTokens() const { return 1 + config_.registerTokens; }

  /// timm-like initialisation (truncated normal 0.02 for linear layers and embeddings).
  void initializeWeights();

  const VitConfig& config() const { return config_; }

  PatchEmbed patch_embed{nullptr};
  torch::Tensor cls_token;
  torch::Tensor reg_token;  // undefined without registers
  torch::Tensor pos_embed;
  torch::nn::ModuleList blocks{nullptr};
  torch::nn::LayerNorm norm{nullptr};
  torch::nn::Linear head{nullptr};  // null without a classification head

 private:
  VitConfig config_;
  // The inference path's prepared weights (InferenceLinear.hpp): made on the first
  // in-place forward pass, kept across passes; shared by clones (keyed by weight tensor).
  std::shared_ptr<LinearCache> linears_;
};
TORCH_MODULE(Vit);

}  // namespace meridian::model
