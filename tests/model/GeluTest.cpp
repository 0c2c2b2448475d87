// The MLP's GELU (model/src/Gelu.hpp): where autograd records a bf16 input, the value and the
// gradient are computed in fp32 and rounded once, checked against the exact values in double
// and against ATen's own bf16 kernels on the same inputs: within one bf16 rounding of the exact
// value everywhere, and no further from it than ATen; everything else is ATen's gelu.

#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "Gelu.hpp"

using namespace meridian::model;

namespace {

// dy * gelu'(x), exact in double: Phi(x) + x phi(x).
at::Tensor exactGradient(const at::Tensor& dy, const at::Tensor& x) {
  const auto xd = x.to(at::kDouble), dyd = dy.to(at::kDouble);
  const auto cdf = 0.5 * (1.0 + at::erf(xd / std::sqrt(2.0)));
  const auto pdf = at::exp(-0.5 * xd * xd) / std::sqrt(2.0 * M_PI);
  return dyd * (cdf + xd * pdf);
}

// Every bf16 value in [-12, 12] (finite, both signs, subnormal-free) and a gradient of random
// sign and size for each, so the widening, the erf on both sides, the exp's range and the
// rounding all meet values that bf16 can hold exactly.
std::pair<at::Tensor, at::Tensor> bf16Inputs() {
  auto bits = at::arange(0, 1 << 16, at::kInt).to(at::kShort);
  auto values = bits.view(at::kBFloat16);
  auto keep = values.to(at::kFloat).abs().le(12.0).logical_and(values.to(at::kFloat).abs().ge(1e-30));
  const auto x = values.masked_select(keep).contiguous();
  torch::manual_seed(3);
  const auto dy = (torch::randn({x.numel()}) * 3.0).to(at::kBFloat16);
  return {x, dy};
}

TEST(MlpGelu, ForwardIsAtensGeluWhereNoBf16GradientIsRecorded) {
  torch::manual_seed(0);
  const auto x = torch::randn({4, 37, 96}) * 4.0;
  EXPECT_TRUE(at::equal(mlpGelu(x), at::gelu(x)));
  EXPECT_TRUE(at::equal(mlpGelu(x.clone().requires_grad_()).detach(), at::gelu(x)));  // fp32 with autograd
  const auto xb = x.to(at::kBFloat16);
  EXPECT_TRUE(at::equal(mlpGelu(xb), at::gelu(xb)));  // bf16 without autograd (inference)
}

TEST(MlpGelu, Bf16ForwardIsWithinOneRoundingOfTheExactValueAndNoWorseThanAtens) {
  auto [x, dy] = bf16Inputs();
  const auto xd = x.to(at::kDouble);
  const auto exact = xd * 0.5 * (1.0 + at::erf(xd / std::sqrt(2.0)));
  const auto ours = mlpGelu(x.clone().requires_grad_()).detach().to(at::kDouble);
  const auto aten = at::gelu(x).to(at::kDouble);
  // One bf16 rounding, plus the erf's absolute error (< 1.5e-7) times |x| / 2 where x Phi(x)
  // is nearly 0 (x < -4).
  const auto tolerance = exact.abs() * std::ldexp(1.0, -8) * 1.01 + 0.75e-7 * xd.abs() + 1e-30;
  const auto ourError = (ours - exact).abs(), atenError = (aten - exact).abs();
  EXPECT_TRUE(ourError.le(tolerance).all().item<bool>())
      << "worst at x = " << x[ourError.div(tolerance).argmax()].item<float>() << ": "
      << ourError.div(tolerance).max().item<double>() << " roundings";
  EXPECT_LE(ourError.mean().item<double>(), atenError.mean().item<double>() * 1.01);
  // A NaN stays NaN, its neighbours unaffected.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const auto y = mlpGelu(torch::tensor({nan, 1.0f}).to(at::kBFloat16).requires_grad_()).detach();
  EXPECT_TRUE(std::isnan(y[0].item<float>()));
  EXPECT_NEAR(y[1].item<float>(), 0.8413, 0.004);
}

TEST(MlpGelu, Bf16GradientIsWithinOneRoundingOfTheExactValueAndNoWorseThanAtens) {
  auto [x, dy] = bf16Inputs();
  ASSERT_GT(x.numel(), 20000);
  const auto exact = exactGradient(dy, x);

  auto leaf = x.clone().requires_grad_();
  mlpGelu(leaf).backward(dy);
  const auto ours = leaf.grad().to(at::kDouble);
  const auto aten = at::gelu_backward(dy, x).to(at::kDouble);

  // bf16 keeps 8 significant bits: one rounding is at most 2^-8 of the value. The erf's
  // absolute error (< 1.5e-7, times |dy|) adds to it where gelu' is nearly 0 (x < -5, where
  // Phi(x) and x phi(x) cancel): there the gradient is below 1e-5 |dy| anyway.
  const auto tolerance = exact.abs() * std::ldexp(1.0, -8) * 1.01 + 1.5e-7 * dy.to(at::kDouble).abs() + 1e-30;
  const auto ourError = (ours - exact).abs();
  EXPECT_TRUE(ourError.le(tolerance).all().item<bool>())
      << "worst at x = " << x[ourError.div(tolerance).argmax()].item<float>() << ": "
      << ourError.div(tolerance).max().item<double>() << " roundings";
  // ATen rounds each intermediate to bf16: its worst error and its mean error are larger.
  const auto atenError = (aten - exact).abs();
  EXPECT_LE(ourError.div(tolerance).max().item<double>(), atenError.div(tolerance).max().item<double>());
  EXPECT_LE(ourError.mean().item<double>(), atenError.mean().item<double>());
}

TEST(MlpGelu, Bf16GradientOfNanIsNan) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  auto x = torch::tensor({nan, 1.0f}).to(at::kBFloat16).requires_grad_();
  mlpGelu(x).backward(torch::ones({2}).to(at::kBFloat16));
  EXPECT_TRUE(std::isnan(x.grad()[0].item<float>()));
  EXPECT_FALSE(std::isnan(x.grad()[1].item<float>()));
}

TEST(MlpGelu, Bf16GradientOfAStridedUpstreamGradientIsTheDenseOnes) {
  torch::manual_seed(1);
  const auto x = (torch::randn({8, 24}) * 3.0).to(at::kBFloat16);
  const auto dy = (torch::randn({24, 8}) * 2.0).to(at::kBFloat16).t();  // not contiguous
  auto a = x.clone().requires_grad_(), b = x.clone().requires_grad_();
  mlpGelu(a).backward(dy);
  mlpGelu(b).backward(dy.contiguous());
  EXPECT_TRUE(at::equal(a.grad(), b.grad()));
}

}  // namespace
