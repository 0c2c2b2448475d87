// The training path's attention softmax (model/src/AttentionSoftmax.hpp): for bf16 scores
// that autograd records, values and gradient computed in fp32 and rounded once, checked
// against the exact formulas in double and against ATen's own bf16 kernels on the same
// inputs; every other input is at::softmax itself.

#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "AttentionSoftmax.hpp"

using namespace meridian::model;

namespace {

// Attention-like scores: rows of 197 and 37 (the 224- and 96-px views) and an odd width, with
// spreads from nearly uniform to nearly one-hot.
at::Tensor bf16Scores(std::int64_t rows, std::int64_t cols, double spread, int seed) {
  torch::manual_seed(seed);
  return (torch::randn({rows, cols}) * spread).to(at::kBFloat16);
}

// One bf16 rounding of the exact value: bf16 keeps 8 significant bits, so rounding to nearest
// moves a value by at most 2^-8 of itself; 1% more for the fp32 arithmetic before it.
at::Tensor oneRounding(const at::Tensor& exact) {
  return exact.abs() * std::ldexp(1.0, -8) * 1.01 + 1e-30;
}

TEST(AttentionSoftmax, Bf16ValuesAreWithinOneRoundingOfTheExactSoftmaxAndNoWorseThanAtens) {
  for (const auto cols : {197, 37, 61}) {
    for (const double spread : {0.1, 2.0, 12.0}) {
      const auto x = bf16Scores(64, cols, spread, static_cast<int>(cols + spread * 10));
      const auto exact = at::softmax(x.to(at::kDouble), -1);
      const auto ours = attentionSoftmax(x.clone().requires_grad_()).detach().to(at::kDouble);
      const auto aten = at::softmax(x, -1).to(at::kDouble);
      const auto error = (ours - exact).abs(), atenError = (aten - exact).abs();
      EXPECT_TRUE(error.le(oneRounding(exact)).all().item<bool>())
          << cols << " cols, spread " << spread << ": worst " << error.div(oneRounding(exact)).max().item<double>();
      EXPECT_LE(error.mean().item<double>(), atenError.mean().item<double>() * 1.001 + 1e-12);
    }
  }
}

TEST(AttentionSoftmax, Bf16GradientIsWithinOneRoundingOfTheExactGradient) {
  for (const auto cols : {197, 37}) {
    const auto x = bf16Scores(48, cols, 3.0, cols);
    torch::manual_seed(7);
    const auto dy = (torch::randn({48, cols}) * 2.0).to(at::kBFloat16);
    auto leaf = x.clone().requires_grad_();
    const auto y = attentionSoftmax(leaf);
    y.backward(dy);
    // The exact gradient of the softmax at the output the forward returned (bf16 y): what the
    // kernel is asked to compute, dx = y * (dy - sum(dy * y)), in double.
    const auto yd = y.detach().to(at::kDouble), dyd = dy.to(at::kDouble);
    const auto exact = yd * (dyd - (dyd * yd).sum(-1, true));
    const auto ours = leaf.grad().to(at::kDouble);
    // One rounding of dx, plus the fp32 sum's error spread over |y| (the sum cancels).
    const auto tolerance = oneRounding(exact) + yd.abs() * (dyd * yd).abs().sum(-1, true) * 1e-6;
    EXPECT_TRUE((ours - exact).abs().le(tolerance).all().item<bool>()) << cols << " cols";
    // ATen's own bf16 backward on the same output and gradient: the same values up to its roundings.
    const auto aten = at::_softmax_backward_data(dy, y.detach(), -1, at::kBFloat16).to(at::kDouble);
    EXPECT_LE((ours - exact).abs().mean().item<double>(), (aten - exact).abs().mean().item<double>() * 1.001 + 1e-12);
  }
}

TEST(AttentionSoftmax, GradientOfAStridedUpstreamGradientIsTheDenseOnes) {
  const auto x = bf16Scores(24, 40, 2.0, 5);
  torch::manual_seed(6);
  const auto dy = torch::randn({40, 24}).to(at::kBFloat16).t();  // not contiguous
  auto a = x.clone().requires_grad_(), b = x.clone().requires_grad_();
  attentionSoftmax(a).backward(dy);
  attentionSoftmax(b).backward(dy.contiguous());
  EXPECT_TRUE(at::equal(a.grad(), b.grad()));
}

TEST(AttentionSoftmax, ANanInARowMakesThatRowNanOnly) {
  auto x = bf16Scores(3, 9, 1.0, 8);
  x[1][4] = std::numeric_limits<float>::quiet_NaN();
  const auto y = attentionSoftmax(x.requires_grad_()).detach().to(at::kFloat);
  EXPECT_TRUE(y[1].isnan().all().item<bool>());
  EXPECT_FALSE(y[0].isnan().any().item<bool>());
  EXPECT_FALSE(y[2].isnan().any().item<bool>());
  EXPECT_NEAR(y[2].sum().item<double>(), 1.0, 0.02);
}

TEST(AttentionSoftmax, OtherInputsAreAtensSoftmax) {
  const auto x = torch::randn({4, 6, 17, 17}) * 3.0;
  EXPECT_TRUE(at::equal(attentionSoftmax(x), at::softmax(x, -1)));                   // fp32
  EXPECT_TRUE(at::equal(attentionSoftmax(x.requires_grad_()), at::softmax(x, -1)));  // fp32 recorded
  const auto b = x.detach().to(at::kBFloat16);
  EXPECT_TRUE(at::equal(attentionSoftmax(b), at::softmax(b, -1)));  // not recorded
  const auto strided = b.transpose(-2, -1).requires_grad_();
  EXPECT_TRUE(at::equal(attentionSoftmax(strided).detach(), at::softmax(strided.detach(), -1)));  // not contiguous
}

}  // namespace
