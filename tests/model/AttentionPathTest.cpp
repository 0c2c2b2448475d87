// The attention layer's two paths: with weights (for maps) and without (fused where the
// LibTorch has it). They must give the same output; the weights must be a softmax.

#include <gtest/gtest.h>

#include <torch/torch.h>

#include "TorchCompat.hpp"
#include "Vit.hpp"
#include "VitAttention.hpp"

using namespace meridian::model;

namespace {

TEST(AttentionPath, WeightsPathEqualsEfficientPath) {
  torch::manual_seed(0);
  VitAttention attention(64, 8, true);
  attention->eval();
  torch::NoGradGuard noGrad;
  const auto x = torch::randn({3, 50, 64});
  torch::Tensor weights;
  const auto withWeights = attention->forward(x, &weights);
  const auto efficient = attention->forward(x);
  std::cout << "[attention] fused scaled_dot_product_attention available: " << compat::kHasFusedAttention << "\n";
  EXPECT_TRUE(torch::allclose(withWeights, efficient, 1e-5, 1e-6))
      << "max difference " << (withWeights - efficient).abs().max().item<float>();
  ASSERT_EQ(weights.sizes(), (std::vector<int64_t>{3, 8, 50, 50}));
  EXPECT_TRUE(torch::allclose(weights.sum(-1), torch::ones({3, 8, 50}), 1e-5, 1e-6));
  EXPECT_GE(weights.min().item<float>(), 0.0f);
}

TEST(AttentionPath, MatchesAnIndependentReference) {
  // softmax(QK^T/sqrt(d))V written out per head, against the layer's efficient path.
  torch::manual_seed(1);
  VitAttention attention(32, 4, true);
  torch::NoGradGuard noGrad;
  const auto x = torch::randn({2, 10, 32});
  const auto qkv = torch::nn::functional::linear(x, attention->qkv->weight, attention->qkv->bias);
  std::vector<torch::Tensor> heads;
  for (int h = 0; h < 4; ++h) {
    const auto q = qkv.slice(2, h * 8, (h + 1) * 8);
    const auto k = qkv.slice(2, 32 + h * 8, 32 + (h + 1) * 8);
    const auto v = qkv.slice(2, 64 + h * 8, 64 + (h + 1) * 8);
    heads.push_back(torch::softmax(torch::bmm(q, k.transpose(1, 2)) / std::sqrt(8.0), -1).bmm(v));
  }
  const auto reference = attention->proj(torch::cat(heads, 2));
  EXPECT_TRUE(torch::allclose(attention->forward(x), reference, 1e-5, 1e-6));
}

TEST(AttentionPath, WholeModelLogitsDoNotDependOnAskingForAttention) {
  VitConfig c;
  c.imageSize = 64;
  c.embedDim = 48;
  c.depth = 3;
  c.heads = 3;
  c.registerTokens = 1;
  c.layerScaleInit = 0.1;
  c.numClasses = 6;
  torch::manual_seed(2);
  Vit vit(c);
  vit->initializeWeights();
  vit->eval();
  torch::NoGradGuard noGrad;
  const auto x = torch::randn({2, 3, 64, 64});
  const auto plain = vit->forward(x, false);
  const auto withMaps = vit->forward(x, true);
  EXPECT_FALSE(plain.clsAttention.defined());
  ASSERT_TRUE(withMaps.clsAttention.defined());
  EXPECT_EQ(withMaps.clsAttention.sizes(), (std::vector<int64_t>{2, 3, 16}));  // registers left out
  EXPECT_TRUE(torch::allclose(plain.logits, withMaps.logits, 1e-5, 1e-6));
}

}  // namespace
