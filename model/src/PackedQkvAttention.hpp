#pragma once
// The attention of a ViT block on the training path (autograd), from the qkv product's output
// to the tokens the projection reads, as one autograd node, for bf16 on the CPU with LibTorch
// 1.13, which has no fused attention (issue 19).
//
// Why: written as ATen operators (reshape, permute, unbind, q * scale, matmul with k^T,
// softmax, matmul with v, transpose, reshape), the forward and backward make ~10 passes over
// memory besides the five batched products: q's scaling both ways, the operands' contiguous
// copies, unbind's stack and the permutes back (~19 ms of a 360 ms ViT-S/16 fine-tuning step
// at batch 8, `OPS_SHAPES=1 bench_train 5 8 ops 45 2`). Here there are four: q, k and v laid
// out head-major once, the heads back to tokens once, and the same two copies backward. The
// scale rides on the softmax's row pass forward and on its gradient's backward; the softmax
// and its gradient are AttentionSoftmax.hpp's row kernels, in place.

#include <ATen/ATen.h>

#include <cstdint>

namespace meridian::model {

/// Whether packedQkvAttention takes `qkv`: bf16 CPU, contiguous [B, T, 3D], recorded by
/// autograd, and no fused attention in this LibTorch.
bool takesPackedQkvAttention(const at::Tensor& qkv);

/// softmax(q k^T / sqrt(headDim)) v per head for `qkv` [B, T, 3D] in timm's layout (q, k, v,
/// each heads x headDim), as [B, T, D] with the heads side by side: what the ATen expression in
/// VitAttention.cpp gives, rounded to bf16 where it rounds, but for the scale, which the softmax
/// applies to the bf16 scores instead of the product to q (the same values when 1 / sqrt(headDim)
/// is a power of two, as for 64).
at::Tensor packedQkvAttention(const at::Tensor& qkv, std::int64_t heads);

}  // namespace meridian::model
