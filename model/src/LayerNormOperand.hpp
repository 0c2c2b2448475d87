#pragma once
// A transformer block's pre-norm LayerNorm when its output only feeds a bf16 product: under CPU
// bf16 autocast with autograd recording (fine-tuning, DINO's student), one node that reads the
// fp32 residual stream and writes the normalised rows in bf16 (issue 19).
//
// Why: there, ATen computes the LayerNorm in fp32 and autocast's at::linear then casts its
// output to bf16: one more pass over the tokens forward, and in the backward the cast's node
// widens the bf16 gradient to fp32 before ATen's LayerNorm backward reads it. In DINO's step the
// LayerNorms, their casts and the casts' gradients were ~80 ms of ~2,050 ms of operator time
// (`OPS_SHAPES=1 bench_dino --ops 60 --steps 3`), ATen's backward slowest on the 96 px views'
// 37-token rows. Here the forward writes bf16 directly and keeps each row's mean and 1/std; the
// backward reads the bf16 gradient, writes the fp32 input gradient and sums the weight and bias
// gradients in fixed row blocks (the result does not depend on the thread count).
//
// Arithmetic: the same fp32 formulas as ATen's kernels, the output rounded once to bf16, as
// LayerNorm-then-cast rounds it; gradients in fp32 from the same bf16 upstream values.

#include <ATen/ATen.h>
#include <torch/nn/modules/normalization.h>

#include <cstdint>

namespace meridian::model {

/// norm(x) in `compute`'s type, or in bf16 when bf16 autocast will cast it there anyway: the
/// fused node above when CPU autocast to bf16 is on, autograd records, `x` is fp32 and `norm`
/// normalises x's last dimension with an fp32 weight and bias; otherwise norm(x).to(compute).
at::Tensor layerNormOperand(torch::nn::LayerNorm norm, const at::Tensor& x, at::ScalarType compute);

/// For `rows` rows of `cols` fp32 values: y = round_bf16((x - mean) / sqrt(var + eps) * weight
/// + bias) (bits), with each row's mean and 1/sqrt(var + eps) written out.
void layerNormRowsToBf16(const float* x, const float* weight, const float* bias, double eps, std::int64_t rows,
                         std::int64_t cols, std::uint16_t* y, float* mean, float* inverseStd);

/// The gradient for those rows from the bf16 upstream dy: dx (fp32), and weightGradient[c] and
/// biasGradient[c] += the rows' sums of dy * xhat and dy.
void layerNormGradientRows(const float* x, const std::uint16_t* dy, const float* weight, const float* mean,
                           const float* inverseStd, std::int64_t rows, std::int64_t cols, float* dx,
                           float* weightGradient, float* biasGradient);

}  // namespace meridian::model
