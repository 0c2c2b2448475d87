// The DINO head's normalised prototypes (model/src/ssl/PrototypeNormalize.hpp) against the
// expression they replace, p / ||p||.clamp_min(eps), and its autograd, computed in double:
// values and gradients agree to fp32 rounding, rows under eps included.

#include <gtest/gtest.h>

#include <torch/torch.h>

#include "ssl/PrototypeNormalize.hpp"

using namespace meridian::model::ssl;

namespace {

struct Gradients {
  at::Tensor value, gradient;
};

Gradients viaAten(const at::Tensor& p, const at::Tensor& upstream, double eps) {
  auto leaf = p.to(at::kDouble).requires_grad_();
  const auto w = leaf / leaf.norm(2, {1}, /*keepdim=*/true).clamp_min(eps);
  w.backward(upstream.to(at::kDouble));
  return {w.detach(), leaf.grad()};
}

Gradients viaNode(const at::Tensor& p, const at::Tensor& upstream, double eps) {
  auto leaf = p.clone().requires_grad_();
  const auto w = normalizedPrototypes(leaf, eps);
  w.backward(upstream);
  return {w.detach(), leaf.grad()};
}

double relativeDifference(const at::Tensor& a, const at::Tensor& b) {
  return ((a.to(at::kDouble) - b).norm() / b.norm()).item<double>();
}

TEST(PrototypeNormalize, ValuesAndGradientsAreTheExpressionsToFp32Rounding) {
  torch::manual_seed(0);
  // DINO's sizes, rows of very different norms, and two rows under eps (one of them zero).
  auto p = torch::randn({4096, 256}) * 0.02;
  p.narrow(0, 0, 64).mul_(50.0);
  p[100].zero_();
  p[101].fill_(5e-8);  // norm 8e-7: under eps, but w = p / eps is far from 0
  const auto upstream = torch::randn({4096, 256});
  const double eps = 1e-6;
  const auto ours = viaNode(p, upstream, eps), exact = viaAten(p, upstream, eps);
  EXPECT_LT(relativeDifference(ours.value, exact.value), 1e-6);
  // Rows above eps apart from those under it, whose gradients (dw / eps) are 1e6 times larger
  // and would hide any other row's error in one norm.
  const auto above = at::cat({at::arange(0, 100), at::arange(102, 4096)});
  EXPECT_LT(relativeDifference(ours.gradient.index_select(0, above), exact.gradient.index_select(0, above)), 1e-5);
  EXPECT_LT(relativeDifference(ours.gradient.narrow(0, 0, 64), exact.gradient.narrow(0, 0, 64)), 1e-5);
  // Under eps the norm passes no gradient: dp = dw / eps, row by row.
  for (const int row : {100, 101})
    EXPECT_LT(relativeDifference(ours.gradient[row], exact.gradient[row]), 1e-6) << "row " << row;
  // Each row on its own: normalised rows have unit norm.
  const auto norms = ours.value.narrow(0, 0, 100).norm(2, {1});
  EXPECT_LT((norms - 1.0).abs().max().item<double>(), 1e-6);
}

TEST(PrototypeNormalize, OtherInputsAreTheExpressionItself) {
  torch::manual_seed(1);
  const auto p = torch::randn({8, 16}, at::kDouble);
  EXPECT_TRUE(at::allclose(normalizedPrototypes(p, 1e-6), p / p.norm(2, {1}, true).clamp_min(1e-6), 0, 0));
}

}  // namespace
