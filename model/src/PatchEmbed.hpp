#pragma once
// Image to patch tokens: a patch-size convolution with stride = patch size, named
// "patch_embed.proj" as in timm (torchvision calls it "conv_proj").

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>

namespace meridian::model {

class PatchEmbedImpl : public torch::nn::Module {
 public:
  PatchEmbedImpl(int patchSize, int dim)
      : proj(register_module("proj",
                             torch::nn::Conv2d(torch::nn::Conv2dOptions(3, dim, patchSize).stride(patchSize)))) {}
  /// [B, 3, H, W] -> [B, (H/p)(W/p), D], patches in row-major order.
  torch::Tensor forward(const torch::Tensor& x) { return proj(x).flatten(2).transpose(1, 2); }

  torch::nn::Conv2d proj;
};
TORCH_MODULE(PatchEmbed);

}  // namespace meridian::model
