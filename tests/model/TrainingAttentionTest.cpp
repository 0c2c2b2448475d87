// Attention with its own gradient (model/src/TrainingAttention.hpp) against autograd through
// softmax(q k^T / sqrt(d)) v written out per head: the same values and gradients in fp32 (to
// rounding), within bf16's resolution in bf16, and through VitAttention's training path.

#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>

#include "TrainingAttention.hpp"
#include "VitAttention.hpp"

using namespace meridian::model;

namespace {

// The reference: per head, from slices of the qkv product, in double unless told otherwise.
at::Tensor referenceAttention(const at::Tensor& qkv, std::int64_t heads) {
  const auto d = qkv.size(2) / 3, headDim = d / heads;
  std::vector<at::Tensor> out;
  for (std::int64_t h = 0; h < heads; ++h) {
    const auto q = qkv.slice(2, h * headDim, (h + 1) * headDim);
    const auto k = qkv.slice(2, d + h * headDim, d + (h + 1) * headDim);
    const auto v = qkv.slice(2, 2 * d + h * headDim, 2 * d + (h + 1) * headDim);
    out.push_back(at::softmax(at::bmm(q, k.transpose(1, 2)) / std::sqrt(static_cast<double>(headDim)), -1).bmm(v));
  }
  return at::cat(out, 2);
}

struct ValueAndGradient {
  at::Tensor value, gradient;
};

// Output and d(sum(output * upstream))/d(qkv) of `attention` on a copy of `qkv`.
template <typename Attention>
ValueAndGradient run(Attention attention, const at::Tensor& qkv, const at::Tensor& upstream) {
  auto input = qkv.detach().clone().requires_grad_(true);
  const auto out = attention(input);
  out.backward(upstream);
  return {out.detach(), input.grad()};
}

double maxDifference(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}

TEST(TrainingAttention, ValuesAndGradientsMatchAutogradThroughTheExplicitFormula) {
  // An odd token count (a 96 px view's 37 tokens), 3 heads, a batch of 2.
  torch::manual_seed(11);
  const std::int64_t heads = 3;
  const auto qkv = torch::randn({2, 37, 3 * 48}, at::kDouble) * 2.0;
  const auto upstream = torch::randn({2, 37, 48}, at::kDouble);
  const auto mine = run([&](const at::Tensor& x) { return trainingAttention(x, heads); }, qkv, upstream);
  const auto reference = run([&](const at::Tensor& x) { return referenceAttention(x, heads); }, qkv, upstream);
  EXPECT_LT(maxDifference(mine.value, reference.value), 1e-12);
  EXPECT_LT(maxDifference(mine.gradient, reference.gradient), 1e-12);
  // Every part of the gradient is exercised: q, k and v each get a non-zero share.
  for (int p = 0; p < 3; ++p) EXPECT_GT(mine.gradient.slice(2, p * 48, (p + 1) * 48).abs().max().item<double>(), 1e-3);
}

TEST(TrainingAttention, AStridedUpstreamGradientGivesTheSameGradient) {
  torch::manual_seed(12);
  const auto qkv = torch::randn({3, 10, 3 * 32});
  const auto dense = torch::randn({3, 10, 32});
  const auto strided = dense.transpose(0, 1).contiguous().transpose(0, 1);  // same values, other strides
  ASSERT_FALSE(strided.is_contiguous());
  const auto attention = [](const at::Tensor& x) { return trainingAttention(x, 4); };
  EXPECT_TRUE(torch::equal(run(attention, qkv, dense).gradient, run(attention, qkv, strided).gradient));
}

TEST(TrainingAttention, Bf16StaysWithinBf16ResolutionOfTheExactValues) {
  // bf16 keeps 8 bits of mantissa: the exact (double) values and gradients of the bf16 inputs,
  // against what the bf16 path returns, relative to each tensor's scale.
  torch::manual_seed(13);
  const std::int64_t heads = 6;
  const auto qkv = (torch::randn({4, 50, 3 * 96}) * 1.5).to(at::kBFloat16);
  const auto upstream = torch::randn({4, 50, 96}).to(at::kBFloat16);
  const auto mine = run([&](const at::Tensor& x) { return trainingAttention(x, heads); }, qkv, upstream);
  EXPECT_EQ(mine.value.scalar_type(), at::kBFloat16);
  EXPECT_EQ(mine.gradient.scalar_type(), at::kBFloat16);
  const auto exact = run([&](const at::Tensor& x) { return referenceAttention(x, heads); }, qkv.to(at::kDouble),
                         upstream.to(at::kDouble));
  const auto scaleOf = [](const at::Tensor& t) { return t.abs().max().item<double>(); };
  EXPECT_LT(maxDifference(mine.value, exact.value) / scaleOf(exact.value), 0.03);
  EXPECT_LT(maxDifference(mine.gradient, exact.gradient) / scaleOf(exact.gradient), 0.03);
  // ... and no further from them than the explicit formula evaluated in bf16 by autograd.
  const auto explicitBf16 = run([&](const at::Tensor& x) { return referenceAttention(x, heads); }, qkv, upstream);
  EXPECT_LE(maxDifference(mine.gradient, exact.gradient), 1.5 * maxDifference(explicitBf16.gradient, exact.gradient));
}

TEST(TrainingAttention, VitAttentionTrainsThroughItWithTheSameGradientsAsTheWeightsPath) {
  // The layer's training path (this function where the library has no fused attention) and its
  // weights path (explicit softmax, autograd): the same output and parameter gradients.
  torch::manual_seed(14);
  VitAttention attention(64, 4, true);
  const auto x = torch::randn({2, 17, 64});
  const auto upstream = torch::randn({2, 17, 64});
  const auto gradients = [&](bool withWeights) {
    attention->zero_grad();
    torch::Tensor weights;
    const auto out = attention->forward(x, withWeights ? &weights : nullptr);
    out.backward(upstream);
    return std::vector<at::Tensor>{out.detach(), attention->qkv->weight.grad().clone(),
                                   attention->qkv->bias.grad().clone(), attention->proj->weight.grad().clone()};
  };
  const auto efficient = gradients(false), explicitPath = gradients(true);
  for (std::size_t i = 0; i < efficient.size(); ++i)
    EXPECT_TRUE(torch::allclose(efficient[i], explicitPath[i], 1e-4, 1e-5))
        << "tensor " << i << ": max difference " << maxDifference(efficient[i], explicitPath[i]);
}

TEST(TrainingAttention, TinyProductsNeverReadUninitialisedMemory) {
  // LibTorch 1.13's baddbmm_out reads its output buffer in its small-matrix kernel even with
  // beta = 0: an uninitialised buffer holding NaN bits made a tiny ViT's DINO loss NaN.
  // Memory just freed full of NaN is what the next allocations of those sizes get (malloc
  // reuses the chunks), so every buffer here starts as NaN bits.
  const auto qkv = torch::randn({1, 2, 3 * 4});
  const auto upstream = torch::randn({1, 2, 4});
  for (int round = 0; round < 50; ++round) {
    for (std::int64_t n = 4; n <= 64; n += 4) (void)torch::full({n}, std::nan(""));
    const auto result = run([](const at::Tensor& x) { return trainingAttention(x, 1); }, qkv, upstream);
    ASSERT_TRUE(result.value.isfinite().all().item<bool>()) << "round " << round;
    ASSERT_TRUE(result.gradient.isfinite().all().item<bool>()) << "round " << round;
  }
}

TEST(TrainingAttention, RefusesAProductThatIsNotThreeTimesTheHeads) {
  EXPECT_THROW(trainingAttention(torch::randn({1, 5, 30}), 4), c10::Error);
}

}  // namespace
