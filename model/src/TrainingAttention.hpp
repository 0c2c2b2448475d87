#pragma once
// Multi-head self-attention for training, with its own gradient (issue 19).
//
// Why: with LibTorch 1.13 (no fused CPU attention) the autograd path of VitAttention took q, k
// and v as permuted views of the qkv product, so ATen copied each one before its batched
// product, scaled q in a pass of its own, copied the heads back into tokens, and its backward
// did the same in reverse plus a zero-filled stack of the three gradients: ~4.6% of a bf16
// DINO step in copy_ alone (bench_dino --ops). Here q, k and v are laid out head-major once,
// with the scale applied to q in that same pass (HeadMajor.hpp), and the backward writes dq,
// dk and dv straight into one head-major buffer that goes back into the qkv product's layout
// in one pass (dq's scale applied on the way).
// The arithmetic is the explicit path's: scores in the inputs' type, softmax in that type
// (1.13's bf16 softmax accumulates in fp32), weights times v; TrainingAttentionTest checks
// values and gradients against it.

#include <ATen/ATen.h>

namespace meridian::model {

/// softmax(q k^T / sqrt(headDim)) v for the qkv product `qkv` [B, T, 3 D] (q, k, v in
/// torchvision's and timm's order, each `heads` x headDim), returned as tokens [B, T, D].
/// Differentiable with respect to `qkv` by its own backward (second derivatives are not
/// supported). Any device and floating type; the CPU without fused attention is what it is for.
at::Tensor trainingAttention(const at::Tensor& qkv, std::int64_t heads);

}  // namespace meridian::model
