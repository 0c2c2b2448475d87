// Position-embedding resizing (the peer comparison at 160 and 288 is in
// GoldenTorchvisionTest); here its own properties.

#include <gtest/gtest.h>

#include <torch/torch.h>

#include "PositionEmbedding.hpp"
#include "Vit.hpp"

using namespace meridian::model;

namespace {

TEST(PositionEmbedding, SameGridIsUntouched) {
  const auto pos = torch::randn({1, 1 + 14 * 14, 8});
  EXPECT_TRUE(torch::equal(interpolatePositionEmbedding(pos, 14, 14), pos));
}

TEST(PositionEmbedding, KeepsClsAndResizesSmoothFieldsFaithfully) {
  // A field linear in the patch position stays close to linear when resized (PyTorch's
  // bicubic uses A = -0.75, which reproduces constants exactly and lines only nearly),
  // and rows and columns must not be swapped on a non-square grid.
  const int g = 8;
  auto pos = torch::zeros({1, 1 + g * g, 3});
  pos[0][0][0] = 42.0f;
  for (int y = 0; y < g; ++y)
    for (int x = 0; x < g; ++x) {
      pos[0][1 + y * g + x][0] = static_cast<float>(x);
      pos[0][1 + y * g + x][1] = static_cast<float>(y);
      pos[0][1 + y * g + x][2] = 5.0f;
    }
  const auto resized = interpolatePositionEmbedding(pos, 16, 12);  // 16 rows, 12 columns
  ASSERT_EQ(resized.sizes(), (std::vector<int64_t>{1, 1 + 16 * 12, 3}));
  EXPECT_EQ(resized[0][0][0].item<float>(), 42.0f);
  // Row 12, column 3 samples the source at x = (3 + 0.5) * 8/12 - 0.5, y = (12 + 0.5) * 8/16 - 0.5.
  const auto sample = resized[0][1 + 12 * 12 + 3];
  EXPECT_NEAR(sample[0].item<float>(), 3.5 * 8.0 / 12 - 0.5, 0.1);
  EXPECT_NEAR(sample[1].item<float>(), 12.5 * 8.0 / 16 - 0.5, 0.1);
  EXPECT_TRUE(torch::allclose(resized.slice(1, 1).select(2, 2), torch::full({1, 16 * 12}, 5.0f), 1e-5, 1e-5));
}

TEST(PositionEmbedding, ModelRunsAtOtherSizesAndNonSquareInputs) {
  VitConfig c;
  c.imageSize = 224;
  c.embedDim = 32;
  c.depth = 1;
  c.heads = 2;
  c.numClasses = 3;
  Vit vit(c);
  vit->initializeWeights();
  vit->eval();
  torch::NoGradGuard noGrad;
  for (auto [h, w] : {std::pair{160, 160}, std::pair{288, 288}, std::pair{224, 320}}) {
    const auto out = vit->forward(torch::randn({1, 3, h, w}), true);
    EXPECT_EQ(out.logits.sizes(), (std::vector<int64_t>{1, 3}));
    EXPECT_EQ(out.clsAttention.size(2), (h / 16) * (w / 16));
    EXPECT_TRUE(torch::isfinite(out.logits).all().item<bool>());
  }
}

}  // namespace
