#pragma once
// The ViT's patch embedding for the CPU inference path (issue 20): the stride-p, p x p
// convolution is one matrix product over the flattened patches, so it runs as the blocks'
// products do (InferenceLinear.hpp: the weight prepared once, the position embedding added
// by the product's accumulating epilogue), after one pass that lays the patches out as rows.
//
// Why: ATen's convolution (oneDNN inside LibTorch) reordered the 768 x 3 x 16 x 16 weight and
// its blocked output on every call and ran on OpenMP's team, whose spinning thread then
// competed with the blocks' pool: ~3% of a batch-1 fp32 pass, 2% at bf16 batch 16.

#include <ATen/ATen.h>

#include "InferenceLinear.hpp"

namespace meridian::model {

/// Whether embedPatchesAsProduct can run: no autograd or CPU autocast, `x` a CPU fp32 image
/// batch, `weight` ([D, C, p, p], fp32, or bf16 where the backend takes bf16) contiguous and
/// `bias` of its type or undefined, `cls` and `pos` fp32.
bool canEmbedPatchesAsProduct(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                              const at::Tensor& cls, const at::Tensor& pos, const LinearCache& linears);

/// x [B, C, H, W] (H, W multiples of p), weight [D, C, p, p], bias [D], cls [1, 1, D], pos
/// [1, 1 + (H/p)(W/p), D] (already resized to this grid). Returns the tokens [B, 1 + (H/p)(W/p),
/// D] fp32: cls + pos[0], then conv(x) + bias + pos[1:] per patch in row-major order, what
/// the convolution, the CLS concatenation and the position addition give.
at::Tensor embedPatchesAsProduct(LinearCache& linears, const at::Tensor& x, const at::Tensor& weight,
                                 const at::Tensor& bias, const at::Tensor& cls, const at::Tensor& pos);

}  // namespace meridian::model
