#include "LayerNormOperand.hpp"

#include <ATen/Parallel.h>
#include <ATen/autocast_mode.h>
#include <ATen/core/grad_mode.h>
#include <torch/autograd.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "Bf16Bits.hpp"
#include "RowTasks.hpp"
#include "VectorClones.hpp"

namespace meridian::model {

namespace {

// Rows per parallel task (~16k values). The weight and bias gradients are summed per task and
// the tasks' sums added in task order, so they do not depend on the thread count.
std::int64_t taskRows(std::int64_t cols) {
  return rowsPerTask(cols, 16384);
}

struct LayerNormToBf16 : torch::autograd::Function<LayerNormToBf16> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, const at::Tensor& weight,
                            const at::Tensor& bias, double eps) {
    const auto input = x.contiguous();
    const auto cols = input.size(-1), rows = input.numel() / cols;
    auto y = at::empty(input.sizes(), input.options().dtype(at::kBFloat16));
    auto mean = at::empty({rows}, input.options()), inverseStd = at::empty({rows}, input.options());
    const float* in = input.data_ptr<float>();
    const float* w = weight.data_ptr<float>();
    const float* b = bias.data_ptr<float>();
    auto* out = reinterpret_cast<std::uint16_t*>(y.data_ptr<at::BFloat16>());
    float* m = mean.data_ptr<float>();
    float* s = inverseStd.data_ptr<float>();
    at::parallel_for(0, rows, taskRows(cols), [&](std::int64_t begin, std::int64_t end) {
      layerNormRowsToBf16(in + begin * cols, w, b, eps, end - begin, cols, out + begin * cols, m + begin, s + begin);
    });
    ctx->save_for_backward({input, weight, mean, inverseStd});
    return y;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list gradients) {
    const auto saved = ctx->get_saved_variables();
    const auto& input = saved[0];
    const auto& weight = saved[1];
    const auto& mean = saved[2];
    const auto& inverseStd = saved[3];
    const auto dy = gradients[0].to(at::kBFloat16).contiguous();
    const auto cols = input.size(-1), rows = input.numel() / cols;
    const auto chunk = taskRows(cols), tasks = (rows + chunk - 1) / chunk;
    auto dx = at::empty_like(input);
    std::vector<float> partials(static_cast<std::size_t>(2 * tasks * cols), 0.f);  // per task: weight, bias
    const float* in = input.data_ptr<float>();
    const float* w = weight.data_ptr<float>();
    const float* m = mean.data_ptr<float>();
    const float* s = inverseStd.data_ptr<float>();
    const auto* up = reinterpret_cast<const std::uint16_t*>(dy.data_ptr<at::BFloat16>());
    float* out = dx.data_ptr<float>();
    at::parallel_for(0, tasks, 1, [&](std::int64_t first, std::int64_t last) {
      for (auto task = first; task < last; ++task) {
        const auto begin = task * chunk, count = std::min(chunk, rows - begin);
        float* sums = partials.data() + 2 * task * cols;
        layerNormGradientRows(in + begin * cols, up + begin * cols, w, m + begin, s + begin, count, cols,
                              out + begin * cols, sums, sums + cols);
      }
    });
    auto weightGradient = at::zeros({cols}, input.options()), biasGradient = at::zeros({cols}, input.options());
    float* wg = weightGradient.data_ptr<float>();
    float* bg = biasGradient.data_ptr<float>();
    for (std::int64_t task = 0; task < tasks; ++task) {
      const float* sums = partials.data() + 2 * task * cols;
      for (std::int64_t c = 0; c < cols; ++c) {
        wg[c] += sums[c];
        bg[c] += sums[cols + c];
      }
    }
    return {dx, weightGradient, biasGradient, at::Tensor()};
  }
};

bool fusable(const torch::nn::LayerNorm& norm, const at::Tensor& x) {
  const auto& options = norm->options;
  const auto& w = norm->weight;
  const auto& b = norm->bias;
  if (!(at::autocast::is_cpu_enabled() && at::autocast::get_autocast_cpu_dtype() == at::kBFloat16 &&
        at::GradMode::is_enabled()))
    return false;
  if (x.scalar_type() != at::kFloat || !x.device().is_cpu() || x.dim() < 1 || x.numel() == 0) return false;
  if (!options.elementwise_affine() || options.normalized_shape() != std::vector<std::int64_t>{x.size(-1)})
    return false;
  if (!w.defined() || !b.defined() || w.scalar_type() != at::kFloat || b.scalar_type() != at::kFloat) return false;
  if (!w.is_contiguous() || !b.is_contiguous()) return false;
  return x.requires_grad() || w.requires_grad() || b.requires_grad();
}

}  // namespace

// The row loops are OpenMP simd loops (sums as per-lane partial sums); the threads are the
// callers' at::parallel_for.
MERIDIAN_VECTOR_CLONES void layerNormRowsToBf16(const float* x, const float* weight, const float* bias, double eps,
                                                std::int64_t rows, std::int64_t cols, std::uint16_t* y, float* mean,
                                                float* inverseStd) {
  const float n = static_cast<float>(cols);
  for (std::int64_t row = 0; row < rows; ++row, x += cols, y += cols) {
    float sum = 0.f;
#pragma omp simd reduction(+ : sum)
    for (std::int64_t c = 0; c < cols; ++c) sum += x[c];
    const float mu = sum / n;
    float squares = 0.f;
#pragma omp simd reduction(+ : squares)
    for (std::int64_t c = 0; c < cols; ++c) squares += (x[c] - mu) * (x[c] - mu);
    const float rstd = static_cast<float>(1.0 / std::sqrt(static_cast<double>(squares / n) + eps));
#pragma omp simd
    for (std::int64_t c = 0; c < cols; ++c) y[c] = bf16Bits((x[c] - mu) * rstd * weight[c] + bias[c]);
    mean[row] = mu;
    inverseStd[row] = rstd;
  }
}

MERIDIAN_VECTOR_CLONES void layerNormGradientRows(const float* x, const std::uint16_t* dy, const float* weight,
                                                  const float* mean, const float* inverseStd, std::int64_t rows,
                                                  std::int64_t cols, float* dx, float* weightGradient,
                                                  float* biasGradient) {
  const float inverseN = 1.f / static_cast<float>(cols);
  for (std::int64_t row = 0; row < rows; ++row, x += cols, dy += cols, dx += cols) {
    const float mu = mean[row], rstd = inverseStd[row];
    float sumG = 0.f, sumGx = 0.f;  // sums of g = dy * weight and of g * xhat
#pragma omp simd reduction(+ : sumG, sumGx)
    for (std::int64_t c = 0; c < cols; ++c) {
      const float d = bf16Value(dy[c]), xhat = (x[c] - mu) * rstd;
      const float g = d * weight[c];
      sumG += g;
      sumGx += g * xhat;
      weightGradient[c] += d * xhat;
      biasGradient[c] += d;
    }
    const float meanG = sumG * inverseN, meanGx = sumGx * inverseN;
#pragma omp simd
    for (std::int64_t c = 0; c < cols; ++c) {
      const float xhat = (x[c] - mu) * rstd;
      dx[c] = rstd * (bf16Value(dy[c]) * weight[c] - meanG - xhat * meanGx);
    }
  }
}

at::Tensor layerNormOperand(torch::nn::LayerNorm norm, const at::Tensor& x, at::ScalarType compute) {
  if (!fusable(norm, x)) return norm->forward(x).to(compute);
  return LayerNormToBf16::apply(x, norm->weight, norm->bias, norm->options.eps());
}

}  // namespace meridian::model
