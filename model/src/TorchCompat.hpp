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

/// softmax(q k^T / sqrt(d)): the attention weights, [..., Tq, Tk].
inline at::Tensor attentionWeights(const at::Tensor& q, const at::Tensor& k) {
  const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
  return at::softmax(at::matmul(q * scale, k.transpose(-2, -1)), -1);
}

/// softmax(q k^T / sqrt(d)) v without keeping the weights when the library can fuse it.
inline at::Tensor scaledDotProductAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
#if MERIDIAN_TORCH_HAS_SDPA
  return at::scaled_dot_product_attention(q, k, v);
#else
  return at::matmul(attentionWeights(q, k), v);
#endif
}

}  // namespace meridian::model::compat
