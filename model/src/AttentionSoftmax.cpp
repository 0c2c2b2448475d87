#include "AttentionSoftmax.hpp"

#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>
#include <torch/autograd.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "Bf16Bits.hpp"
#include "ExpNonPositive.hpp"
#include "RowTasks.hpp"
#include "VectorClones.hpp"

namespace meridian::model {

namespace {

const std::uint16_t* bitsOf(const at::Tensor& t) {
  return reinterpret_cast<const std::uint16_t*>(t.data_ptr<at::BFloat16>());
}
std::uint16_t* mutableBitsOf(at::Tensor& t) {
  return reinterpret_cast<std::uint16_t*>(t.data_ptr<at::BFloat16>());
}

// Rows per parallel task: a few thousand scores, so a 197-wide row set splits into enough
// tasks for two threads and a 37-wide one is not one task a row.
std::int64_t grainRows(std::int64_t cols) {
  return rowsPerTask(cols, 4096);
}

struct SoftmaxBf16 : torch::autograd::Function<SoftmaxBf16> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& scores) {
    auto y = at::empty_like(scores, at::MemoryFormat::Contiguous);
    softmaxLastDimBf16(scores, y);
    ctx->save_for_backward({y});
    return y;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list gradients) {
    const auto y = ctx->get_saved_variables()[0];
    const auto dy = gradients[0].to(at::kBFloat16).contiguous();
    auto dx = at::empty_like(y, at::MemoryFormat::Contiguous);
    softmaxGradientLastDimBf16(y, dy, dx);
    return {dx};
  }
};

}  // namespace

// The reductions as OpenMP simd loops, as in InferenceSoftmax.cpp: one partial maximum and sum
// per vector lane. (The threads are the callers' at::parallel_for; a row runs on one thread.)
MERIDIAN_VECTOR_CLONES void softmaxRowsBf16(const std::uint16_t* x, std::int64_t rows, std::int64_t cols,
                                            std::uint16_t* y, float* scratch, float scale) {
  for (std::int64_t row = 0; row < rows; ++row, x += cols, y += cols) {
    float max = -std::numeric_limits<float>::infinity();
#pragma omp simd reduction(max : max)
    for (std::int64_t i = 0; i < cols; ++i) {
      const float v = bf16Value(x[i]);
      max = v > max ? v : max;
    }
    float sum = 0.f;
#pragma omp simd reduction(+ : sum)
    for (std::int64_t i = 0; i < cols; ++i) {
      const float e = expNonPositive(scale * (bf16Value(x[i]) - max));  // scale > 0: the maximum's row
      scratch[i] = e;
      sum += e;
    }
    const float inverse = 1.f / sum;
#pragma omp simd
    for (std::int64_t i = 0; i < cols; ++i) y[i] = bf16Bits(scratch[i] * inverse);
  }
}

MERIDIAN_VECTOR_CLONES void softmaxGradientRowsBf16(const std::uint16_t* y, const std::uint16_t* dy, std::int64_t rows,
                                                    std::int64_t cols, std::uint16_t* dx, float scale) {
  for (std::int64_t row = 0; row < rows; ++row, y += cols, dy += cols, dx += cols) {
    float dot = 0.f;
#pragma omp simd reduction(+ : dot)
    for (std::int64_t i = 0; i < cols; ++i) dot += bf16Value(dy[i]) * bf16Value(y[i]);
#pragma omp simd
    for (std::int64_t i = 0; i < cols; ++i) dx[i] = bf16Bits(scale * bf16Value(y[i]) * (bf16Value(dy[i]) - dot));
  }
}

void softmaxLastDimBf16(const at::Tensor& scores, at::Tensor& out, float scale) {
  const auto cols = scores.size(-1), rows = scores.numel() / std::max<std::int64_t>(1, cols);
  const auto* x = bitsOf(scores);
  auto* y = mutableBitsOf(out);
  at::parallel_for(0, rows, grainRows(cols), [&](std::int64_t begin, std::int64_t end) {
    std::vector<float> scratch(static_cast<std::size_t>(cols));
    softmaxRowsBf16(x + begin * cols, end - begin, cols, y + begin * cols, scratch.data(), scale);
  });
}

void softmaxGradientLastDimBf16(const at::Tensor& y, const at::Tensor& dy, at::Tensor& dx, float scale) {
  const auto cols = y.size(-1), rows = y.numel() / std::max<std::int64_t>(1, cols);
  const auto* yBits = bitsOf(y);
  const auto* dyBits = bitsOf(dy);
  auto* dxBits = mutableBitsOf(dx);
  at::parallel_for(0, rows, grainRows(cols), [&](std::int64_t begin, std::int64_t end) {
    softmaxGradientRowsBf16(yBits + begin * cols, dyBits + begin * cols, end - begin, cols, dxBits + begin * cols,
                            scale);
  });
}

at::Tensor attentionSoftmax(const at::Tensor& scores) {
  if (scores.scalar_type() == at::kBFloat16 && scores.device().is_cpu() && scores.is_contiguous() && scores.dim() > 0 &&
      scores.numel() > 0 && at::GradMode::is_enabled() && scores.requires_grad())
    return SoftmaxBf16::apply(scores);
  return at::softmax(scores, -1);
}

}  // namespace meridian::model
