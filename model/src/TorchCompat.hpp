#pragma once
// The one place that knows which LibTorch Meridian was compiled against. Debian 12
// ships 1.13; GPU machines use 2.x (e.g. the LibTorch inside a CUDA PyTorch wheel).
// Every version difference the model core relies on is spelled out here.

#include <ATen/ATen.h>
#include <torch/version.h>

#include <cmath>

#if TORCH_VERSION_MAJOR >= 2
// at::scaled_dot_product_attention is public from 2.0 on; it picks the flash /
// memory-efficient kernels on CUDA and a fused CPU kernel (2.1+).
#define MERIDIAN_TORCH_HAS_SDPA 1
#else
// 1.13 has only the private at::_scaled_dot_product_attention (different signature and
// semantics): we do not rely on private operators and use the explicit path instead.
#define MERIDIAN_TORCH_HAS_SDPA 0
#endif

namespace meridian::model::compat {

constexpr bool kHasFusedAttention = MERIDIAN_TORCH_HAS_SDPA != 0;

/// q k^T / sqrt(d), [..., Tq, Tk], in q's type.
inline at::Tensor attentionScores(const at::Tensor& q, const at::Tensor& k) {
  const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
  return at::matmul(q * scale, k.transpose(-2, -1));
}

/// softmax(q k^T / sqrt(d)): the attention weights, [..., Tq, Tk], always fp32 because
/// they are returned as maps: with bf16 q and k only the scores are rounded to bf16.
inline at::Tensor attentionWeights(const at::Tensor& q, const at::Tensor& k) {
  return at::softmax(attentionScores(q, k), -1, at::kFloat);
}

/// softmax(q k^T / sqrt(d)) v without keeping the weights when the library can fuse it.
inline at::Tensor scaledDotProductAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
#if MERIDIAN_TORCH_HAS_SDPA
  return at::scaled_dot_product_attention(q, k, v);
#else
  // Softmax in q's type: 1.13's bf16 CPU softmax accumulates in fp32 (measured within one
  // bf16 ulp of an fp32 softmax), and the weights are rounded to bf16 for the product
  // with v anyway; going through fp32 cost ~20 ms per block at batch 16 on 2 cores.
  return at::matmul(at::softmax(attentionScores(q, k), -1), v);
#endif
}

/// q k^T / sqrt(d) for contiguous head-major q, k [B, heads, T, headDim] -> [B, heads, T, T]
/// in q's type, as one batched product whose alpha carries 1/sqrt(d) (no pass over q).
inline at::Tensor headMajorScores(const at::Tensor& q, const at::Tensor& k) {
  const auto b = q.size(0), heads = q.size(1), t = q.size(2), headDim = q.size(3);
  const auto q3 = q.view({b * heads, t, headDim}), k3 = k.view({b * heads, t, headDim});
  const double scale = 1.0 / std::sqrt(static_cast<double>(headDim));
  // The first operand zeroed although beta = 0: LibTorch 1.13 reads it for some small products,
  // and uninitialised memory gave NaN scores there (PackedQkvAttention.cpp).
  return at::baddbmm(at::zeros({b * heads, t, t}, q.options()), q3, k3.transpose(1, 2), 0.0, scale)
      .view({b, heads, t, t});
}

/// softmax(q k^T / sqrt(d)) v for contiguous head-major q, k, v [B, heads, T, headDim]
/// when no gradient is needed (inference): the fused kernel with LibTorch 2.x; 1.13 has
/// none for the CPU, so headMajorScores, softmax in q's type, one batched product with v.
inline at::Tensor headMajorAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
#if MERIDIAN_TORCH_HAS_SDPA
  return at::scaled_dot_product_attention(q, k, v);
#else
  return at::matmul(at::softmax(headMajorScores(q, k), -1), v);
#endif
}

}  // namespace meridian::model::compat
