// The patch embedding as one product (model/src/InferencePatchEmbed.hpp) against what the
// ViT's forward does otherwise (convolution, CLS concatenated, position embedding added),
// with each built backend, on a batch of two non-square images, and with bf16 weights where
// the backend takes them.

#include <gtest/gtest.h>

#include <torch/torch.h>

#include "InferencePatchEmbed.hpp"

using namespace meridian::model;

namespace {

struct Case {
  at::Tensor x, weight, bias, cls, pos;
};

Case makeCase() {
  torch::manual_seed(0);
  const std::int64_t d = 40, p = 8;
  return {torch::randn({2, 3, 3 * p, 5 * p}), torch::randn({d, 3, p, p}) * 0.05, torch::randn({d}),
          torch::randn({1, 1, d}), torch::randn({1, 1 + 15, d})};
}

at::Tensor reference(const Case& c, at::ScalarType type) {
  const auto w = c.weight.to(type), b = c.bias.to(type);
  auto patches = at::conv2d(c.x.to(type), w, b, {w.size(2), w.size(3)}).to(at::kFloat).flatten(2).transpose(1, 2);
  return at::cat({c.cls.expand({c.x.size(0), -1, -1}), patches}, 1) + c.pos;
}

TEST(InferencePatchEmbed, MatchesConvolutionWithEachBackend) {
  torch::NoGradGuard noGrad;
  const Case c = makeCase();
  const auto expected = reference(c, at::kFloat);
  for (const auto backend : {InferenceBackend::OneDnn, InferenceBackend::Blas}) {
    if (!inferenceBackendBuilt(backend)) continue;
    SCOPED_TRACE(inferenceBackendName(backend));
    LinearCache cache(backend);
    ASSERT_TRUE(canEmbedPatchesAsProduct(c.x, c.weight, c.bias, c.cls, c.pos, cache));
    const auto got = embedPatchesAsProduct(cache, c.x, c.weight, c.bias, c.cls, c.pos);
    ASSERT_EQ(got.sizes(), expected.sizes());
    EXPECT_LT((got - expected).abs().max().item<double>(), 1e-4);
  }
}

TEST(InferencePatchEmbed, TakesBf16WeightsWhereTheBackendDoes) {
  torch::NoGradGuard noGrad;
  const Case c = makeCase();
  const auto w = c.weight.to(at::kBFloat16), b = c.bias.to(at::kBFloat16);
  LinearCache blas(InferenceBackend::Blas);
  EXPECT_FALSE(canEmbedPatchesAsProduct(c.x, w, b, c.cls, c.pos, blas));
  if (!inferenceBackendBuilt(InferenceBackend::OneDnn)) GTEST_SKIP() << "oneDNN not built in";
  LinearCache cache(InferenceBackend::OneDnn);
  ASSERT_TRUE(canEmbedPatchesAsProduct(c.x, w, b, c.cls, c.pos, cache));
  const auto got = embedPatchesAsProduct(cache, c.x, w, b, c.cls, c.pos);
  // Both round the pixels to bf16; the product accumulates and adds in fp32 where the
  // convolution rounds its output to bf16 first: within a few bf16 units of the values (~4).
  EXPECT_LT((got - reference(c, at::kBFloat16)).abs().max().item<double>(), 0.1);
  EXPECT_LT((got - reference(c, at::kFloat)).abs().max().item<double>(), 0.1);
}

TEST(InferencePatchEmbed, NotWithAutograd) {
  const Case c = makeCase();
  LinearCache cache(InferenceBackend::Blas);
  EXPECT_FALSE(canEmbedPatchesAsProduct(c.x, c.weight, c.bias, c.cls, c.pos, cache));  // grad mode is on
}

}  // namespace
