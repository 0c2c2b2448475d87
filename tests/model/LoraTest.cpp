// LoRA adapters: they start as the base model (B = 0), only A, B and the head train, the
// effective weight is W0 + (alpha / r) B A, and merging reproduces the adapted forward.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "IhcTiles.hpp"
#include "Vit.hpp"
#include "train/Lora.hpp"
#include "train/ParameterGroups.hpp"

namespace meridian::model::train {
namespace {

TEST(Lora, StartsAtTheBaseTrainsOnlyAdaptersAndMergesExactly) {
  torch::manual_seed(5);
  Vit net(test::tinyVitConfig(2));
  net->initializeWeights();
  net->eval();
  const auto x = torch::randn({4, 3, 32, 32});
  const auto before = net->forward(x).logits.detach().clone();
  const auto qkvBase = net->blocks->ptr<VitBlockImpl>(1)->attn->qkv->weight.detach().clone();

  LoraAdapters lora(net, 4, 8.0);
  EXPECT_EQ(lora.size(), 3u * 4u);  // qkv, proj, fc1, fc2 in each of 3 blocks
  EXPECT_DOUBLE_EQ(lora.scale(), 2.0);
  lora.refresh();
  EXPECT_TRUE(torch::allclose(net->forward(x).logits, before));  // B = 0: the base model

  std::size_t trainable = 0;
  for (const auto& item : net->named_parameters())
    if (item.value().requires_grad()) {
      ++trainable;
      EXPECT_TRUE(isLoraParameter(item.key()) || item.key().rfind("head.", 0) == 0) << item.key();
    }
  EXPECT_EQ(trainable, 3u * 4u * 2u + 2u);

  auto groups = buildParameterGroups(*net, 3, {});
  torch::optim::AdamW optimizer(groups.groups, torch::optim::AdamWOptions(1e-2));
  net->train();
  for (int step = 0; step < 3; ++step) {
    lora.refresh();
    optimizer.zero_grad();
    torch::nn::functional::cross_entropy(net->forward(x).logits, torch::tensor({0, 1, 0, 1})).backward();
    optimizer.step();
  }
  net->eval();
  torch::NoGradGuard noGrad;
  lora.refresh();
  const auto adapted = net->forward(x).logits.clone();
  EXPECT_FALSE(torch::allclose(adapted, before));
  // The frozen base never moved; the effective weight is W0 + scale * B A.
  auto* qkv = net->blocks->ptr<VitBlockImpl>(1)->attn->qkv.get();
  const auto named = qkv->named_parameters(false);
  EXPECT_TRUE(torch::equal(named["weight"], qkvBase));
  EXPECT_TRUE(torch::allclose(qkv->weight, qkvBase + 2.0 * named["lora_b"].mm(named["lora_a"]), 1e-6, 1e-7));

  lora.merge();
  EXPECT_TRUE(torch::allclose(net->forward(x).logits, adapted, 1e-5, 1e-6));
  lora.refresh();  // after merging, refreshing must not add B A a second time
  EXPECT_TRUE(torch::allclose(net->forward(x).logits, adapted, 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(named["weight"], qkvBase + 2.0 * named["lora_b"].mm(named["lora_a"]), 1e-6, 1e-7));
}

}  // namespace
}  // namespace meridian::model::train
