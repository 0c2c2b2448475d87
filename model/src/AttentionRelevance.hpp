#pragma once
// Patch relevance from all of a ViT's attention layers (see ExplainMethod for the
// definitions and references): attention rollout and gradient-weighted attention.

#include <torch/types.h>

#include "Vit.hpp"

namespace meridian::model {

/// Adds one block's head-averaged attention to a running rollout product.
/// weights: [B, heads, T, T]; rollout: [B, T, T] (undefined before the first block).
torch::Tensor accumulateRollout(const torch::Tensor& rollout, const torch::Tensor& weights);

struct RelevanceMaps {
  torch::Tensor patches;  // [B, patches]: the CLS row over the patch tokens
  torch::Tensor logits;   // [B, classes], undefined without a head
  torch::Tensor targets;  // GradientAttention: [B] the classes explained
};

/// Attention rollout in one forward pass (x: [B, 3, H, W]). Call under inference mode.
RelevanceMaps attentionRollout(VitImpl& net, const torch::Tensor& x);

/// Gradient-weighted attention for head output `targetClass` (-1: each image's top-1) in
/// one forward and one backward pass; switches autograd on itself. Throws
/// std::invalid_argument without a head or for a class outside it.
RelevanceMaps gradientWeightedAttention(VitImpl& net, const torch::Tensor& x, int targetClass);

}  // namespace meridian::model
