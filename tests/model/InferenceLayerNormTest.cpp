// The inference path's chunked LayerNorm (model/src/InferenceLayerNorm.hpp) against ATen's,
// in fp32 and written as bf16, over enough rows for several chunks and a width that is no
// multiple of its 16 partial sums.

#include <gtest/gtest.h>

#include <torch/torch.h>

#include "InferenceLayerNorm.hpp"

using namespace meridian::model;

namespace {

TEST(InferenceLayerNorm, MatchesAtenInFloat32AndRoundsToBf16LikeAten) {
  torch::manual_seed(0);
  const std::int64_t rows = 397, d = 771;
  // Rows far from zero with a small spread: a one-pass variance would lose them.
  const auto x = torch::randn({rows, d}) * 0.5 + 40.0;
  const auto weight = torch::randn({d}), bias = torch::randn({d});
  const auto expected = at::layer_norm(x, {d}, weight, bias, 1e-6);

  auto out = torch::empty({rows, d});
  inferenceLayerNorm(x, weight, bias, 1e-6, out);
  EXPECT_LT((out - expected).abs().max().item<double>(), 1e-4);

  auto out16 = torch::empty({rows, d}, torch::kBFloat16);
  inferenceLayerNorm(x, weight, bias, 1e-6, out16);
  // bf16 keeps 8 bits: each value within half a unit in its last place of the fp32 result
  // (plus the fp32 tolerance above), and equal to ATen's rounding of it nearly everywhere (the
  // two fp32 results may straddle a rounding boundary).
  const auto rounded = expected.to(torch::kBFloat16).to(torch::kFloat);
  const auto got = out16.to(torch::kFloat);
  EXPECT_LE(((got - expected).abs() - expected.abs() / 256).max().item<double>(), 1e-4);
  EXPECT_GT(got.eq(rounded).to(torch::kFloat).mean().item<double>(), 0.99);

  // Without weight and bias: plain normalisation.
  inferenceLayerNorm(x, at::Tensor(), at::Tensor(), 1e-6, out);
  EXPECT_LT((out - at::layer_norm(x, {d}, {}, {}, 1e-6)).abs().max().item<double>(), 1e-4);
}

TEST(InferenceLayerNorm, RefusesWhatItCannotWrite) {
  const auto x = torch::randn({4, 8});
  auto half = torch::empty({4, 8}, torch::kHalf);
  EXPECT_THROW(inferenceLayerNorm(x, {}, {}, 1e-6, half), std::invalid_argument);
  auto wrongShape = torch::empty({4, 9});
  EXPECT_THROW(inferenceLayerNorm(x, {}, {}, 1e-6, wrongShape), std::invalid_argument);
}

}  // namespace
