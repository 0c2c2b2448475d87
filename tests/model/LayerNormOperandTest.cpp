// The pre-norm LayerNorm that writes bf16 under autocast (model/src/LayerNormOperand.hpp),
// against what it replaces: torch::nn::LayerNorm in fp32, then the cast to bf16 that autocast's
// product makes, and their autograd. Values agree to the last bf16 bit but for rare ties of
// fp32 rounding; gradients agree to fp32 rounding; the weight and bias gradients do not depend
// on the thread count; everything it does not fuse is the LayerNorm and cast themselves.

#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>

#include "LayerNormOperand.hpp"
#include "ScopedIntraOpThreads.hpp"
#include "train/AutocastScope.hpp"

using namespace meridian::model;

namespace {

// A residual stream like a ViT block's: [batch, tokens, 384] fp32 with per-channel offsets and
// a few large channels; a trained-looking affine; a bf16 upstream gradient.
struct Case {
  torch::nn::LayerNorm norm{nullptr};
  at::Tensor x, upstream;
};

Case makeCase(std::int64_t batch, std::int64_t tokens, int seed) {
  torch::manual_seed(seed);
  Case c;
  c.norm = torch::nn::LayerNorm(torch::nn::LayerNormOptions({384}).eps(1e-6));
  {
    torch::NoGradGuard noGrad;
    c.norm->weight.copy_(1.0 + 0.3 * torch::randn({384}));
    c.norm->bias.copy_(0.2 * torch::randn({384}));
  }
  c.x = torch::randn({batch, tokens, 384}) * 2.0 + torch::randn({384}) * 3.0;
  c.x.select(2, 7).mul_(40.0);  // an outlier channel, as trained ViTs have
  c.upstream = (torch::randn({batch, tokens, 384}) * 0.5).to(at::kBFloat16);
  return c;
}

// The module's own forward (ModuleHolder's operator() is not const).
at::Tensor layerNorm(torch::nn::LayerNorm norm, const at::Tensor& x) {
  return norm(x);
}

struct Outputs {
  at::Tensor y, dx, dw, db;
};

Outputs run(const Case& c, bool fused) {
  for (auto& p : c.norm->parameters()) p.mutable_grad() = at::Tensor();
  auto x = c.x.clone().requires_grad_();
  at::Tensor y;
  {
    train::AutocastScope autocast(true);
    y = fused ? layerNormOperand(c.norm, x, at::kFloat) : layerNorm(c.norm, x).to(at::kBFloat16);
  }
  y.backward(c.upstream);
  return {y.detach(), x.grad(), c.norm->weight.grad().clone(), c.norm->bias.grad().clone()};
}

double relativeDifference(const at::Tensor& a, const at::Tensor& b) {
  return ((a.to(at::kDouble) - b.to(at::kDouble)).norm() / b.to(at::kDouble).norm()).item<double>();
}

TEST(LayerNormOperand, UnderBf16AutocastMatchesLayerNormThenCastAndTheirGradients) {
  for (const auto& [batch, tokens] : {std::pair<std::int64_t, std::int64_t>{4, 197}, {12, 37}, {3, 1}}) {
    const auto c = makeCase(batch, tokens, static_cast<int>(batch * tokens));
    const auto ours = run(c, true), theirs = run(c, false);
    ASSERT_EQ(ours.y.scalar_type(), at::kBFloat16);
    ASSERT_EQ(ours.y.sizes(), theirs.y.sizes());
    ASSERT_EQ(ours.dx.scalar_type(), at::kFloat);
    // Same fp32 formula up to the order of operations, rounded once to bf16: within one bf16
    // rounding of the exact value (plus fp32 rounding of the terms, where w * xhat and the bias
    // cancel), as close to it as LayerNorm-then-cast on average, and bit-equal to it but for
    // values whose fp32 result sits on a bf16 rounding boundary.
    const auto xd = c.x.to(at::kDouble);
    const auto mean = xd.mean(-1, true), var = (xd - mean).pow(2).mean(-1, true);
    const auto terms = ((xd - mean) / (var + 1e-6).sqrt()) * c.norm->weight.to(at::kDouble);
    const auto exact = terms + c.norm->bias.to(at::kDouble);
    const auto bound = exact.abs() * std::ldexp(1.0, -8) + 1e-6 * (terms.abs() + c.norm->bias.to(at::kDouble).abs());
    const auto ourError = (ours.y.to(at::kDouble) - exact).abs(), theirError = (theirs.y.to(at::kDouble) - exact).abs();
    EXPECT_TRUE(ourError.le(bound).all().item<bool>()) << batch << " x " << tokens;
    EXPECT_LE(ourError.mean().item<double>(), theirError.mean().item<double>() * 1.01) << batch << " x " << tokens;
    EXPECT_LT(ours.y.ne(theirs.y).to(at::kFloat).mean().item<double>(), 0.01) << batch << " x " << tokens;
    EXPECT_LT(relativeDifference(ours.dx, theirs.dx), 1e-5) << batch << " x " << tokens;
    EXPECT_LT(relativeDifference(ours.dw, theirs.dw), 1e-5) << batch << " x " << tokens;
    EXPECT_LT(relativeDifference(ours.db, theirs.db), 1e-5) << batch << " x " << tokens;
  }
}

TEST(LayerNormOperand, GradientsDoNotDependOnTheThreadCount) {
  const auto c = makeCase(8, 197, 3);
  Outputs one, two;
  {
    ScopedIntraOpThreads threads(1);
    one = run(c, true);
  }
  {
    ScopedIntraOpThreads threads(2);
    two = run(c, true);
  }
  EXPECT_TRUE(at::equal(one.y, two.y));
  EXPECT_TRUE(at::equal(one.dx, two.dx));
  EXPECT_TRUE(at::equal(one.dw, two.dw));
  EXPECT_TRUE(at::equal(one.db, two.db));
}

TEST(LayerNormOperand, ANonContiguousInputGivesTheContiguousOnesResults) {
  auto c = makeCase(4, 37, 5);
  const auto dense = run(c, true);
  c.x = c.x.transpose(0, 1).contiguous().transpose(0, 1);  // same values, other strides
  ASSERT_FALSE(c.x.is_contiguous());
  const auto strided = run(c, true);
  EXPECT_TRUE(at::equal(dense.y, strided.y));
  EXPECT_TRUE(at::equal(dense.dx, strided.dx));
  EXPECT_TRUE(at::equal(dense.dw, strided.dw));
}

TEST(LayerNormOperand, WhatItDoesNotFuseIsTheLayerNormAndTheCast) {
  const auto c = makeCase(2, 37, 6);
  // No autocast: the fp32 LayerNorm in the compute type asked for.
  EXPECT_TRUE(at::equal(layerNormOperand(c.norm, c.x, at::kFloat), layerNorm(c.norm, c.x)));
  EXPECT_TRUE(at::equal(layerNormOperand(c.norm, c.x, at::kBFloat16), layerNorm(c.norm, c.x).to(at::kBFloat16)));
  // Autocast without autograd (an inference pass under autocast): unfused.
  {
    torch::NoGradGuard noGrad;
    train::AutocastScope autocast(true);
    EXPECT_EQ(layerNormOperand(c.norm, c.x, at::kFloat).scalar_type(), at::kFloat);
  }
  // A LayerNorm without affine parameters: unfused.
  auto plain = torch::nn::LayerNorm(torch::nn::LayerNormOptions({384}).elementwise_affine(false));
  auto x = c.x.clone().requires_grad_();
  train::AutocastScope autocast(true);
  EXPECT_EQ(layerNormOperand(plain, x, at::kFloat).scalar_type(), at::kFloat);
}

}  // namespace
