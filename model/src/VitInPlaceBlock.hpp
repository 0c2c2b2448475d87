#pragma once
// The transformer block's fp32 inference path, written like an inference runtime: the
// residual stream is updated in place (the projection and fc2 products add into it with
// BLAS's beta = 1), GELU and the softmax run in place, and the two largest intermediates
// (the MLP's hidden layer and the attention scores) live in buffers the whole forward pass
// reuses. Same arithmetic as VitBlockImpl::forward (the golden test holds it to
// torchvision's output); only the passes over memory and the allocations differ.
//
// Why: at batch 16 the hidden layer is 16 x 197 x 3072 fp32 = 39 MB, above glibc's largest
// mmap threshold (32 MB), so every block's fc1 output and GELU output were fresh mappings:
// ~400k page faults and ~5% of the CPU time of a forward pass in the kernel (measured on
// PyTorch eager, which allocates the same way), plus four extra passes over memory per block.

#include <torch/torch.h>

#include "InferenceLinear.hpp"
#include "VitBlock.hpp"

namespace meridian::model {

/// Buffers one forward pass reuses across its blocks (sized for one batch and token count).
struct InPlaceScratch {
  LinearCache* linears = nullptr;  // the model's prepared weights (InferenceLinear.hpp)
  at::Tensor normed;  // [B*T, D] a LayerNorm's output, in the products' operand type
  at::Tensor qkv;     // [B*T, 3D] operand type
  at::Tensor tokens;  // [B*T, D] the attention's output, operand type
  at::Tensor hidden;  // [B*T, mlpHidden] operand type
};

/// Whether `block` can take the in-place path with `linears`' backend: no autograd, fp32
/// weights, or bf16 ones with a backend that takes bf16 (OneDnn: its products take bf16
/// operands and add into the fp32 stream), no LayerScale (its gain sits between the product
/// and the residual), a qkv bias or none.
bool canRunInPlace(const VitBlockImpl& block, const at::Tensor& x, const LinearCache& linears);

/// x <- block(x), overwriting x (contiguous [B, T, D], owned by the caller's forward pass).
void runInPlace(VitBlockImpl& block, at::Tensor& x, InPlaceScratch& scratch);

/// Row 0 of block(x), [B, 1, D] fp32: the last block of a CLS-pooled pass, whose other rows
/// nobody reads. Every row still goes through the first norm and the qkv product (the CLS
/// query attends to all keys and values); the attention of that one query, the projection and
/// the MLP run on B rows instead of B x T, ~75% of the block's FLOP saved (~6% of a ViT-B/16
/// forward pass at 224 px). x is left unchanged. Same preconditions as runInPlace.
at::Tensor runFirstTokenInPlace(VitBlockImpl& block, const at::Tensor& x, InPlaceScratch& scratch);

}  // namespace meridian::model
