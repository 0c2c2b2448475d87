#pragma once
// The attention's softmax on the training path (autograd), for bf16 scores on the CPU with
// LibTorch 1.13, which has no fused attention (issue 19).
//
// Why: 1.13's bf16 softmax and its backward take ~1.2 ns and ~0.5 ns per score on one core of
// this CPU (`bench_train 3 8 ops 40 1`: 30.5 + 10.9 ms of a 1,268 ms fine-tuning step, the
// largest operators after the matrix products), while a row-wise pass in fp32 with the
// vectorised exp the inference path already uses (InferenceSoftmax.hpp) is several times
// faster. Both are fp32 inside: ATen rounds its result to bf16 once, and so does this.

#include <ATen/ATen.h>

#include <cstdint>

namespace meridian::model {

/// softmax over the last dimension. For a contiguous bf16 CPU tensor that autograd records,
/// the forward and the gradient run the row kernels below on ATen's intra-op threads;
/// otherwise this is at::softmax(scores, -1).
at::Tensor attentionSoftmax(const at::Tensor& scores);

/// softmaxRowsBf16 over every row of a contiguous bf16 tensor on ATen's intra-op threads;
/// `out` (contiguous bf16, same size) may be `scores`.
void softmaxLastDimBf16(const at::Tensor& scores, at::Tensor& out, float scale = 1.f);

/// softmaxGradientRowsBf16 over every row of contiguous bf16 tensors of one size, likewise;
/// `dx` may be `dy`.
void softmaxGradientLastDimBf16(const at::Tensor& y, const at::Tensor& dy, at::Tensor& dx, float scale = 1.f);

/// The softmax of scale * x (scale > 0): y = exp(scale (x - max)) / sum(exp(scale (x - max)))
/// for each of `rows` contiguous rows of `cols` bf16 values (raw bits), computed in fp32 and
/// rounded once; `scratch` holds `cols` floats. `y` may be `x`.
void softmaxRowsBf16(const std::uint16_t* x, std::int64_t rows, std::int64_t cols, std::uint16_t* y, float* scratch,
                     float scale = 1.f);

/// dx = scale * y * (dy - sum(dy * y)) per row: the softmax's gradient from its output, times
/// the scores' scale when the caller folds it in (PackedQkvAttention.cpp), in fp32 and rounded
/// once. `dx` may be `dy` (each value is read before it is written).
void softmaxGradientRowsBf16(const std::uint16_t* y, const std::uint16_t* dy, std::int64_t rows, std::int64_t cols,
                             std::uint16_t* dx, float scale = 1.f);

}  // namespace meridian::model
