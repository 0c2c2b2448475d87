// The attention's hand-written softmax (model/src/InferenceSoftmax.hpp) against ATen's, in
// fp32 and written as bf16, on rows of a width that is no multiple of its 16 lanes, with
// scores spread far enough (-200..200) for the exp's range reduction and its clamp to matter.

#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "InferenceSoftmax.hpp"

using namespace meridian::model;

namespace {

TEST(InferenceSoftmax, MatchesAtenInFloat32AndRoundsToBf16LikeAten) {
  torch::manual_seed(0);
  const std::int64_t rows = 37, cols = 197;
  auto scores = torch::randn({rows, cols}) * 8.0;
  scores[3] = torch::linspace(-200.0, 200.0, cols);  // exp underflows for most of the row
  scores[4].fill_(5.0);                              // a flat row: 1/cols everywhere
  const auto expected = at::softmax(scores, -1);

  auto fp32 = scores.clone();
  softmaxRows(fp32.data_ptr<float>(), rows, cols, fp32.data_ptr<float>());
  // Relative to each probability: the polynomial's error is ~1e-7, the summation order free.
  EXPECT_LT(((fp32 - expected).abs() / (expected + 1e-30)).max().item<double>(), 1e-5);
  EXPECT_LT((fp32.sum(-1) - 1.0).abs().max().item<double>(), 1e-5);

  auto work = scores.clone();
  auto bf16 = torch::empty({rows, cols}, torch::kBFloat16);
  softmaxRows(work.data_ptr<float>(), rows, cols, static_cast<std::uint16_t*>(bf16.data_ptr()));
  const auto got = bf16.to(torch::kFloat);
  EXPECT_LE(((got - expected).abs() - expected / 256).max().item<double>(), 1e-6);
  // Equal to ATen's rounding nearly everywhere (the two fp32 results may straddle a rounding
  // boundary), counted where exp has not underflowed: below ~1e-38 the clamp keeps ~1e-38.
  const auto same = got.eq(expected.to(torch::kBFloat16).to(torch::kFloat));
  const auto counted = expected.gt(1e-30);
  EXPECT_GT(same.logical_and(counted).sum().item<double>() / counted.sum().item<double>(), 0.99);
}

TEST(InferenceSoftmax, ANanMakesItsRowNan) {
  auto scores = torch::zeros({2, 20});
  scores[0][7] = std::numeric_limits<float>::quiet_NaN();
  softmaxRows(scores.data_ptr<float>(), 2, 20, scores.data_ptr<float>());
  EXPECT_TRUE(scores[0].isnan().all().item<bool>());
  EXPECT_LT((scores[1] - 1.0 / 20).abs().max().item<double>(), 1e-7);
}

}  // namespace
