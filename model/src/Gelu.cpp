#include "Gelu.hpp"

#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>
#include <torch/autograd.h>

#include "Bf16Bits.hpp"
#include "ExpNonPositive.hpp"
#include "VectorClones.hpp"

namespace meridian::model {

namespace {

// 0.5 * (1 - erf(|v| / sqrt 2)), the normal cdf of -|v|, by Abramowitz & Stegun 7.1.26 with
// the exp(-v^2 / 2) it shares with the density: what the forward and the gradient both need.
inline float normalTail(float v, float& density) {
  constexpr float kInverseSqrt2 = 0.70710678118654752f;
  const float z = (v < 0.f ? -v : v) * kInverseSqrt2;
  const float t = 1.f / (1.f + 0.3275911f * z);
  const float poly =
      t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
  density = expNonPositive(-0.5f * v * v);  // exp(-z^2)
  return 0.5f * poly * density;
}

// GELU as a node of its own: forward geluBf16, backward geluGradientBf16, each in chunks on
// ATen's intra-op threads.
struct GeluBf16 : torch::autograd::Function<GeluBf16> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x) {
    ctx->save_for_backward({x});
    const auto dense = x.contiguous();
    auto y = at::empty_like(dense, at::MemoryFormat::Contiguous);
    const auto* xBits = reinterpret_cast<const std::uint16_t*>(dense.data_ptr<at::BFloat16>());
    auto* yBits = reinterpret_cast<std::uint16_t*>(y.data_ptr<at::BFloat16>());
    at::parallel_for(0, dense.numel(), 1 << 15, [&](std::int64_t begin, std::int64_t end) {
      geluBf16(xBits + begin, yBits + begin, end - begin);
    });
    return y;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list gradients) {
    const auto x = ctx->get_saved_variables()[0].contiguous();
    const auto dy = gradients[0];
    if (dy.scalar_type() != at::kBFloat16 || dy.sizes() != x.sizes()) return {at::gelu_backward(dy, x)};
    const auto dyDense = dy.contiguous();
    auto dx = at::empty_like(x, at::MemoryFormat::Contiguous);
    const auto* dyBits = reinterpret_cast<const std::uint16_t*>(dyDense.data_ptr<at::BFloat16>());
    const auto* xBits = reinterpret_cast<const std::uint16_t*>(x.data_ptr<at::BFloat16>());
    auto* dxBits = reinterpret_cast<std::uint16_t*>(dx.data_ptr<at::BFloat16>());
    at::parallel_for(0, x.numel(), 1 << 15, [&](std::int64_t begin, std::int64_t end) {
      geluGradientBf16(dyBits + begin, xBits + begin, dxBits + begin, end - begin);
    });
    return {dx};
  }
};

}  // namespace

MERIDIAN_VECTOR_CLONES void geluBf16(const std::uint16_t* x, std::uint16_t* out, std::int64_t count) {
#pragma omp simd
  for (std::int64_t i = 0; i < count; ++i) {
    const float v = bf16Value(x[i]);
    float e;
    const float tail = normalTail(v, e);
    out[i] = bf16Bits(v * (v < 0.f ? tail : 1.f - tail));  // v Phi(v)
  }
}

MERIDIAN_VECTOR_CLONES void geluGradientBf16(const std::uint16_t* dy, const std::uint16_t* x, std::uint16_t* out,
                                             std::int64_t count) {
  constexpr float kInverseSqrt2Pi = 0.39894228040143268f;
  // An OpenMP simd loop (this file is built with -fopenmp-simd, no threads): without it GCC
  // keeps the loop scalar ("control flow in loop": the selects), ~5x slower than ATen.
#pragma omp simd
  for (std::int64_t i = 0; i < count; ++i) {
    const float v = bf16Value(x[i]);
    float e;
    const float tail = normalTail(v, e);
    const float cdf = v < 0.f ? tail : 1.f - tail;  // Phi(v)
    out[i] = bf16Bits(bf16Value(dy[i]) * (cdf + v * kInverseSqrt2Pi * e));
  }
}

at::Tensor mlpGelu(const at::Tensor& x) {
  if (x.scalar_type() == at::kBFloat16 && x.device().is_cpu() && at::GradMode::is_enabled() && x.requires_grad())
    return GeluBf16::apply(x);
  return at::gelu(x);
}

}  // namespace meridian::model
