#pragma once
// q, k and v of a qkv product laid out head-major for the batched products of attention, with
// the 1/sqrt(headDim) scale applied to q on the way (one pass, as the copy), so the products
// need no alpha. Why not alpha: LibTorch 1.13's baddbmm_out reads its output buffer in its
// small-matrix kernel (T * T * headDim < 400) even with beta = 0, so an uninitialised buffer
// holding NaN bits gave NaN scores (InferenceAttentionTest); bmm_out never reads it. The scale
// is a power of two for every preset (headDim 64), so the scaled q is exact in bf16; otherwise
// it is rounded once, as `q * scale` in the autograd path is.

#include <ATen/ATen.h>

#include <cmath>

namespace meridian::model {

/// 1 / sqrt(headDim), the attention's scale.
inline double attentionScale(std::int64_t headDim) {
  return 1.0 / std::sqrt(static_cast<double>(headDim));
}

/// qkv viewed as [B, T, 3, heads, headDim] (any strides) -> a new contiguous
/// [3, B, heads, T, headDim] whose part 0 is q * attentionScale(headDim).
inline at::Tensor packHeadMajorScaledQ(const at::Tensor& qkv5) {
  const auto parts = qkv5.permute({2, 0, 3, 1, 4});  // [3, B, heads, T, headDim]
  auto packed = at::empty(parts.sizes(), qkv5.options());
  auto q = packed[0];
  at::mul_out(q, parts[0], at::scalar_tensor(attentionScale(qkv5.size(4)), at::kDouble));
  packed.narrow(0, 1, 2).copy_(parts.narrow(0, 1, 2));
  return packed;
}

}  // namespace meridian::model
