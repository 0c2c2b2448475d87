#pragma once
// Image to patch tokens: a patch-size convolution with stride = patch size, named
// "patch_embed.proj" as in timm (torchvision calls it "conv_proj").

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>

namespace meridian::model {

class PatchEmbedImpl : public torch::nn::Module {
 public:
  PatchEmbedImpl(int patchSize, int dim)
      : proj(register_module("proj",
                             torch::nn::Conv2d(torch::nn::Conv2dOptions(3, dim, patchSize).stride(patchSize)))) {}

  /// [B, 3, H, W] -> [B, (H/p)(W/p), D], patches in row-major order.
  ///
  /// When autograd will need the weight's gradient, the convolution is written as what it is,
  /// one matrix product of the flattened patches with the weight viewed as [D, 3 p p]: LibTorch
  /// 1.13's bf16 convolution backward (oneDNN) took 27.8 ms of a ~360 ms ViT-S/16 fine-tuning
  /// step at batch 8 (AMX Xeon, 2 cores) (`OPS_SHAPES=1 bench_train 5 8 ops 45 2`), for ~0.9 GFLOP that the
  /// product's backward does in ~2 ms. Otherwise the convolution (no backward to pay for).
  torch::Tensor forward(const torch::Tensor& x) {
    if (at::GradMode::is_enabled() && proj->weight.requires_grad()) return embedAsProduct(x);
    return proj(x).flatten(2).transpose(1, 2);
  }

  torch::nn::Conv2d proj;

 private:
  torch::Tensor embedAsProduct(const torch::Tensor& x) const {
    const auto& w = proj->weight;  // [D, C, p, p]
    const auto b = x.size(0), c = x.size(1), p = w.size(2), gridH = x.size(2) / p, gridW = x.size(3) / p;
    // [B, C, gh, p, gw, p] -> [B, gh, gw, C, p, p]: one row per patch, columns in the
    // weight's (channel, y, x) order.
    const auto patches =
        x.reshape({b, c, gridH, p, gridW, p}).permute({0, 2, 4, 1, 3, 5}).reshape({b, gridH * gridW, c * p * p});
    return at::linear(patches, w.view({w.size(0), c * p * p}), proj->bias);
  }
};
TORCH_MODULE(PatchEmbed);

}  // namespace meridian::model
