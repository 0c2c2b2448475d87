// The fine-tuning building blocks the DINO loop shares: the cosine schedule with warm-up
// and the layer-wise learning-rate-decay parameter groups.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "Vit.hpp"
#include "train/LearningRateSchedule.hpp"
#include "train/ParameterGroups.hpp"

namespace meridian::model::train {
namespace {

TEST(FineTuneSchedule, WarmupRisesLinearlyThenCosineFallsToTheFloor) {
  const CosineWithWarmup schedule(1.0, 4, 14, 0.1);
  EXPECT_DOUBLE_EQ(schedule.at(0), 0.25);
  EXPECT_DOUBLE_EQ(schedule.at(1), 0.5);
  EXPECT_DOUBLE_EQ(schedule.at(3), 1.0);
  EXPECT_DOUBLE_EQ(schedule.at(4), 1.0);  // first decay step at the peak
  // Halfway through the 10 decay steps (progress 4.5/9 = 0.5): the mean of peak and floor.
  EXPECT_NEAR(0.5 * (schedule.at(8) + schedule.at(9)), 0.55, 0.02);
  EXPECT_NEAR(schedule.at(4 + 3), 0.1 + 0.45 * (1.0 + std::cos(M_PI * 3.0 / 9.0)), 1e-12);
  EXPECT_DOUBLE_EQ(schedule.at(13), 0.1);
  EXPECT_DOUBLE_EQ(schedule.at(100), 0.1);
  for (int step = 4; step < 13; ++step) EXPECT_GT(schedule.at(step), schedule.at(step + 1));
}

TEST(FineTuneSchedule, NoWarmupAndSingleStepAreWellDefined) {
  EXPECT_DOUBLE_EQ(CosineWithWarmup(0.5, 0, 10).at(0), 0.5);
  EXPECT_DOUBLE_EQ(CosineWithWarmup(0.5, 0, 10).at(9), 0.0);
  EXPECT_DOUBLE_EQ(CosineWithWarmup(0.5, 0, 1).at(0), 0.5);
  EXPECT_DOUBLE_EQ(CosineWithWarmup(0.5, 0, 0).at(0), 0.5);
}

VitConfig tinyConfig() {
  VitConfig c;
  c.imageSize = 32;
  c.patchSize = 16;
  c.embedDim = 32;
  c.depth = 3;
  c.heads = 2;
  c.numClasses = 2;
  c.layerScaleInit = 1e-5;
  return c;
}

TEST(FineTuneParameterGroups, LayerIdsFollowTheTimmNames) {
  EXPECT_EQ(layerIdOf("patch_embed.proj.weight", 12), 0);
  EXPECT_EQ(layerIdOf("cls_token", 12), 0);
  EXPECT_EQ(layerIdOf("pos_embed", 12), 0);
  EXPECT_EQ(layerIdOf("blocks.0.attn.qkv.weight", 12), 1);
  EXPECT_EQ(layerIdOf("blocks.11.mlp.fc2.bias", 12), 12);
  EXPECT_EQ(layerIdOf("blocks.10.attn.qkv.lora_a", 12), 11);
  EXPECT_EQ(layerIdOf("norm.weight", 12), 13);
  EXPECT_EQ(layerIdOf("head.weight", 12), 13);
}

TEST(FineTuneParameterGroups, EveryTrainableParameterOnceWithDecayedRatesAndNoDecayOnNormsBiasesTokens) {
  Vit net(tinyConfig());
  ParameterGroupOptions options;
  options.layerDecay = 0.5;
  options.weightDecay = 0.05;
  const auto groups = buildParameterGroups(*net, 3, options);
  ASSERT_EQ(groups.groups.size(), groups.lrScales.size());

  std::size_t counted = 0;
  for (std::size_t g = 0; g < groups.groups.size(); ++g) {
    const auto& opts = static_cast<const torch::optim::AdamWOptions&>(groups.groups[g].options());
    for (const auto& p : groups.groups[g].params()) {
      ++counted;
      if (p.dim() <= 1) {
        EXPECT_EQ(opts.weight_decay(), 0.0) << groups.names[g];
      }
    }
  }
  EXPECT_EQ(counted, net->parameters().size());

  // The head's group learns at the full rate, block 0 at 0.5^3, the embeddings at 0.5^4.
  auto scaleOf = [&](const torch::Tensor& t) {
    for (std::size_t g = 0; g < groups.groups.size(); ++g)
      for (const auto& p : groups.groups[g].params())
        if (p.is_same(t)) return groups.lrScales[g];
    return -1.0;
  };
  auto decayOf = [&](const torch::Tensor& t) {
    for (std::size_t g = 0; g < groups.groups.size(); ++g)
      for (const auto& p : groups.groups[g].params())
        if (p.is_same(t))
          return static_cast<const torch::optim::AdamWOptions&>(groups.groups[g].options()).weight_decay();
    return -1.0;
  };
  EXPECT_DOUBLE_EQ(scaleOf(net->head->weight), 1.0);
  EXPECT_DOUBLE_EQ(scaleOf(net->blocks->ptr<VitBlockImpl>(2)->mlp->fc1->weight), 0.5);
  EXPECT_DOUBLE_EQ(scaleOf(net->blocks->ptr<VitBlockImpl>(0)->attn->qkv->weight), 0.125);
  EXPECT_DOUBLE_EQ(scaleOf(net->patch_embed->proj->weight), 0.0625);
  EXPECT_DOUBLE_EQ(scaleOf(net->pos_embed), 0.0625);
  EXPECT_DOUBLE_EQ(decayOf(net->pos_embed), 0.0);
  EXPECT_DOUBLE_EQ(decayOf(net->cls_token), 0.0);
  EXPECT_DOUBLE_EQ(decayOf(net->head->bias), 0.0);
  EXPECT_DOUBLE_EQ(decayOf(net->blocks->ptr<VitBlockImpl>(1)->norm1->weight), 0.0);
  EXPECT_DOUBLE_EQ(decayOf(net->blocks->ptr<VitBlockImpl>(1)->ls1->gamma), 0.0);
  EXPECT_DOUBLE_EQ(decayOf(net->blocks->ptr<VitBlockImpl>(1)->attn->proj->weight), 0.05);
  EXPECT_DOUBLE_EQ(decayOf(net->patch_embed->proj->weight), 0.05);
}

TEST(FineTuneParameterGroups, FrozenParametersAreLeftOutAndTheOptimiserStepsWithScaledRates) {
  torch::manual_seed(3);
  Vit net(tinyConfig());
  for (auto& p : net->parameters()) p.set_requires_grad(false);
  net->head->weight.set_requires_grad(true);
  net->head->bias.set_requires_grad(true);
  auto groups = buildParameterGroups(*net, 3, {});
  ASSERT_EQ(groups.groups.size(), 2u);  // head weight (decay) and head bias (no decay)

  torch::optim::AdamW optimizer(groups.groups, torch::optim::AdamWOptions(1.0));
  applyLearningRate(optimizer, groups, 0.01);
  for (const auto& group : optimizer.param_groups())
    EXPECT_DOUBLE_EQ(static_cast<const torch::optim::AdamWOptions&>(group.options()).lr(), 0.01);

  const auto before = net->head->weight.clone();
  const auto frozenBefore = net->blocks->ptr<VitBlockImpl>(0)->attn->qkv->weight.clone();
  const auto out = net->forward(torch::randn({2, 3, 32, 32}));
  torch::nn::functional::cross_entropy(out.logits, torch::tensor({0, 1})).backward();
  optimizer.step();
  EXPECT_FALSE(torch::equal(before, net->head->weight));
  EXPECT_TRUE(torch::equal(frozenBefore, net->blocks->ptr<VitBlockImpl>(0)->attn->qkv->weight));
}

}  // namespace
}  // namespace meridian::model::train
