#include "PrototypeNormalize.hpp"

#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include <algorithm>
#include <cmath>

#include "../RowTasks.hpp"

namespace meridian::model::ssl {

namespace {

// Rows per parallel task: ~16k values.
std::int64_t taskRows(std::int64_t cols) {
  return rowsPerTask(cols, 16384);
}

struct NormalizeRows : torch::autograd::Function<NormalizeRows> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& prototypes, double eps) {
    const auto p = prototypes.contiguous();
    const auto rows = p.size(0), cols = p.size(1);
    auto w = at::empty_like(p);
    auto divisors = at::empty({rows}, p.options());  // max(||p_k||, eps)
    const float* in = p.data_ptr<float>();
    float* out = w.data_ptr<float>();
    float* d = divisors.data_ptr<float>();
    at::parallel_for(0, rows, taskRows(cols), [&](std::int64_t begin, std::int64_t end) {
      for (auto row = begin; row < end; ++row) {
        const float* x = in + row * cols;
        float squares = 0.f;
#pragma omp simd reduction(+ : squares)
        for (std::int64_t c = 0; c < cols; ++c) squares += x[c] * x[c];
        const float divisor = std::max(std::sqrt(squares), static_cast<float>(eps));
        float* y = out + row * cols;
#pragma omp simd
        for (std::int64_t c = 0; c < cols; ++c) y[c] = x[c] / divisor;
        d[row] = divisor;
      }
    });
    ctx->save_for_backward({w, divisors});
    ctx->saved_data["eps"] = eps;
    return w;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list gradients) {
    const auto saved = ctx->get_saved_variables();
    const auto& w = saved[0];
    const auto& divisors = saved[1];
    const auto eps = static_cast<float>(ctx->saved_data["eps"].toDouble());
    const auto dw = gradients[0].to(at::kFloat).contiguous();
    const auto rows = w.size(0), cols = w.size(1);
    auto dp = at::empty_like(w);
    const float* wv = w.data_ptr<float>();
    const float* g = dw.data_ptr<float>();
    const float* d = divisors.data_ptr<float>();
    float* out = dp.data_ptr<float>();
    at::parallel_for(0, rows, taskRows(cols), [&](std::int64_t begin, std::int64_t end) {
      for (auto row = begin; row < end; ++row) {
        const float* wr = wv + row * cols;
        const float* gr = g + row * cols;
        float* o = out + row * cols;
        // Above eps the norm carries gradient: project out the component along w. At eps
        // (clamp_min's floor) it does not.
        float dot = 0.f;
        if (d[row] > eps) {
#pragma omp simd reduction(+ : dot)
          for (std::int64_t c = 0; c < cols; ++c) dot += gr[c] * wr[c];
        }
        const float divisor = d[row];
#pragma omp simd
        for (std::int64_t c = 0; c < cols; ++c) o[c] = (gr[c] - wr[c] * dot) / divisor;
      }
    });
    return {dp, at::Tensor()};
  }
};

}  // namespace

at::Tensor normalizedPrototypes(const at::Tensor& prototypes, double eps) {
  if (prototypes.dim() != 2 || prototypes.scalar_type() != at::kFloat || !prototypes.device().is_cpu() ||
      prototypes.numel() == 0)
    return prototypes / prototypes.norm(2, {1}, /*keepdim=*/true).clamp_min(eps);
  return NormalizeRows::apply(prototypes, eps);
}

}  // namespace meridian::model::ssl
