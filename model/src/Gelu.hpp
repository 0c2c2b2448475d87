#pragma once
// The ViT MLP's exact (erf) GELU, with its own gradient for bf16 training (issue 19).
//
// Why: LibTorch 1.13's bf16 gelu_backward evaluates erf, exp and every product in bf16 vector
// types, widening and rounding at each operation: 5.8 ms for a ViT-S/16 global-view block's
// 16 x 197 x 1536 values on 2 cores, 2.6x its forward, and ~100 ms of a 2.7 s DINO step over
// the student's 24 MLPs. Here the gradient is one pass in fp32 (bf16 in, bf16 out, rounded
// once): 63 ms a step (bench_dino --ops), and nearer the exact value than ATen's (GeluTest).
// The forward likewise: ATen's bf16 gelu took 22.5 + 17.4 ms of a DINO step (global and local
// views, AMX Xeon, `OPS_SHAPES=1 bench_dino --ops 45 --steps 3`), 11.7 ms of a fine-tuning step;
// one fp32 pass with the same erf is within one bf16 rounding of the exact value (GeluTest).

#include <ATen/ATen.h>

#include <cstdint>

namespace meridian::model {

/// gelu(x) (exact). When autograd records it for a bf16 `x`, the value is geluBf16's and the
/// gradient geluGradientBf16's (below); otherwise this is at::gelu.
at::Tensor mlpGelu(const at::Tensor& x);

/// x * Phi(x) for `count` bf16 values (raw bits), in fp32 with geluGradientBf16's erf, rounded
/// once to bf16. Single-threaded.
void geluBf16(const std::uint16_t* x, std::uint16_t* out, std::int64_t count);

/// dy * gelu'(x) for `count` bf16 values (as raw bits), computed in fp32 and rounded once to
/// bf16 (round to nearest even). erf by Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7,
/// far below bf16's resolution) sharing one exp(-x^2/2) with the density. Single-threaded.
void geluGradientBf16(const std::uint16_t* dy, const std::uint16_t* x, std::uint16_t* out, std::int64_t count);

}  // namespace meridian::model
