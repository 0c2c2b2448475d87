// Explanations: attention rollout against a hand-written reference, gradient-weighted
// attention per class, the public explain() API with its geometry, and the model
// randomisation sanity check of Adebayo et al. (2018): a map that does not change when
// the weights are randomised explains the input, not the model.

#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>
#include <numeric>

#include "AttentionRelevance.hpp"
#include "RandomInput.hpp"
#include "TempDir.hpp"
#include "TensorIo.hpp"
#include "Vit.hpp"
#include "WeightImporter.hpp"
#include "meridian/model/AttentionMapGeometry.hpp"
#include "meridian/model/VitModel.hpp"

using namespace meridian;
using namespace meridian::model;
using namespace meridian::model::test;

namespace {

VitConfig tinyConfig(int depth = 3, int registers = 0, int classes = 4) {
  VitConfig c;
  c.imageSize = 64;
  c.patchSize = 8;
  c.embedDim = 48;
  c.depth = depth;
  c.heads = 3;
  c.registerTokens = registers;
  c.numClasses = classes;
  return c;
}

std::vector<double> toDoubles(const torch::Tensor& t) {
  const auto c = t.to(torch::kDouble).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

double correlation(const std::vector<float>& a, const std::vector<float>& b) {
  const double n = static_cast<double>(a.size());
  const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n, mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb + 1e-30);
}

std::vector<float> toFloats(const torch::Tensor& t) {
  const auto c = t.to(torch::kFloat).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

// Rollout written out with loops over plain numbers: per layer Â = rownorm(mean_h A + I),
// R = Â_L ... Â_1, then R's CLS row over the patch columns.
std::vector<double> rolloutReference(const std::vector<torch::Tensor>& layers, int prefix) {
  const auto heads = layers.front().size(1), t = layers.front().size(2);
  std::vector<double> r;  // t x t, row-major
  for (const auto& layer : layers) {
    const auto a = toDoubles(layer[0]);  // heads x t x t, first image
    std::vector<double> hat(static_cast<std::size_t>(t * t));
    for (int i = 0; i < t; ++i) {
      double rowSum = 0;
      for (int j = 0; j < t; ++j) {
        double mean = 0;
        for (int h = 0; h < heads; ++h) mean += a[static_cast<std::size_t>((h * t + i) * t + j)] / heads;
        hat[static_cast<std::size_t>(i * t + j)] = mean + (i == j ? 1.0 : 0.0);
        rowSum += hat[static_cast<std::size_t>(i * t + j)];
      }
      for (int j = 0; j < t; ++j) hat[static_cast<std::size_t>(i * t + j)] /= rowSum;
    }
    if (r.empty()) {
      r = hat;
      continue;
    }
    std::vector<double> product(r.size(), 0.0);
    for (int i = 0; i < t; ++i)
      for (int k = 0; k < t; ++k)
        for (int j = 0; j < t; ++j)
          product[static_cast<std::size_t>(i * t + j)] +=
              hat[static_cast<std::size_t>(i * t + k)] * r[static_cast<std::size_t>(k * t + j)];
    r = product;
  }
  return std::vector<double>(r.begin() + prefix, r.begin() + t);  // row 0
}

TEST(Explain, RolloutOfTwoHandWrittenLayers) {
  // One head, three tokens [CLS, p1, p2]. Â1 = rownorm(A1 + I), Â2 = rownorm(A2 + I):
  //   A1 = [.5 .25 .25; 0 1 0; 0 0 1] -> Â1 = [.75 .125 .125; 0 1 0; 0 0 1]
  //   A2 = [0 .5 .5; 0 1 0; 0 0 1]   -> Â2 = [.5 .25 .25; 0 1 0; 0 0 1]
  //   Â2 Â1 row 0 = [.5*.75, .5*.125 + .25, .5*.125 + .25] = [.375, .3125, .3125]
  const auto a1 = torch::tensor({.5f, .25f, .25f, 0.f, 1.f, 0.f, 0.f, 0.f, 1.f}).reshape({1, 1, 3, 3});
  const auto a2 = torch::tensor({0.f, .5f, .5f, 0.f, 1.f, 0.f, 0.f, 0.f, 1.f}).reshape({1, 1, 3, 3});
  const auto r = accumulateRollout(accumulateRollout({}, a1), a2);
  const auto row = toDoubles(r[0][0]);
  EXPECT_NEAR(row[0], 0.375, 1e-6);
  EXPECT_NEAR(row[1], 0.3125, 1e-6);
  EXPECT_NEAR(row[2], 0.3125, 1e-6);
}

TEST(Explain, RolloutOfAModelEqualsTheReferenceAndLeavesRegistersOut) {
  torch::manual_seed(3);
  Vit net(tinyConfig(/*depth=*/3, /*registers=*/2));
  net->initializeWeights();
  net->eval();
  torch::NoGradGuard noGrad;
  const InputBatch in = randomInput(1, 64, 9);
  const auto x = torch::from_blob(const_cast<float*>(in.data.data()), {1, 3, 64, 64}).clone();
  std::vector<torch::Tensor> layers;
  const AttentionTap tap = [&](std::size_t, const torch::Tensor& w) { layers.push_back(w.clone()); };
  net->forward(x, false, &tap);
  ASSERT_EQ(layers.size(), 3u);
  const auto reference = rolloutReference(layers, /*prefix=*/3);  // CLS + 2 registers
  const auto maps = attentionRollout(*net, x);
  ASSERT_EQ(maps.patches.sizes(), (std::vector<int64_t>{1, 64}));
  const auto got = toDoubles(maps.patches[0]);
  for (std::size_t i = 0; i < reference.size(); ++i) EXPECT_NEAR(got[i], reference[i], 1e-6) << i;
}

TEST(Explain, PublicApiGivesEachMethodWithItsGeometry) {
  auto model = VitModel::create(tinyConfig(), 5).value();
  auto image = core::Image2D::allocate(128, 64, 3, core::PixelType::UInt8).value();
  for (std::size_t i = 0; i < image.sizeInBytes(); ++i) image.data()[i] = static_cast<std::uint8_t>((i * 7) % 251);
  const int top1 = [&] {
    const auto p = model->predict(image).value().probabilities;
    return static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
  }();
  for (auto method : {ExplainMethod::ClsAttention, ExplainMethod::Rollout, ExplainMethod::GradientAttention}) {
    SCOPED_TRACE(toString(method));
    auto map = model->explain(image, method);
    ASSERT_TRUE(map.ok()) << map.error().describe();
    const AttentionMap& m = map.value();
    EXPECT_EQ(m.method, method);
    EXPECT_EQ(m.gridWidth, 8);
    EXPECT_EQ(m.gridHeight, 8);
    ASSERT_EQ(m.mean.size(), 64u);
    EXPECT_EQ(m.perHead.size(), method == ExplainMethod::ClsAttention ? 3u * 64 : 0u);
    EXPECT_EQ(m.targetClass, method == ExplainMethod::GradientAttention ? top1 : -1);
    EXPECT_EQ(m.letterbox.offsetY, 16);
    for (float v : m.mean) EXPECT_GE(v, 0.0f);
    // The map convention: only the 8 x 4 cells on the image (letterbox rows dropped),
    // 16 image pixels per cell, the first cell's centre at pixel 7.5.
    auto volume = toMapVolume(m);
    ASSERT_TRUE(volume.ok()) << volume.error().describe();
    EXPECT_EQ(volume.value().size(), (std::array<int, 3>{8, 4, 1}));
    EXPECT_EQ(volume.value().pixelType(), core::PixelType::Float32);
    EXPECT_DOUBLE_EQ(volume.value().spacing[0], 16.0);
    EXPECT_DOUBLE_EQ(volume.value().origin[0], 7.5);
    EXPECT_DOUBLE_EQ(volume.value().origin[1], 7.5);
    EXPECT_FLOAT_EQ(reinterpret_cast<const float*>(volume.value().data())[0], m.mean[2 * 8]);  // row 2 = image row 0
  }
  // Rollout rows are a distribution over all tokens: the patches take less than all of it.
  const auto rollout = model->explain(image, ExplainMethod::Rollout).value();
  const double sum = std::accumulate(rollout.mean.begin(), rollout.mean.end(), 0.0);
  EXPECT_GT(sum, 0.0);
  EXPECT_LT(sum, 1.0);
  EXPECT_TRUE(toMapVolume(model->clsAttention(image).value(), 2).ok());
  EXPECT_FALSE(toMapVolume(model->clsAttention(image).value(), 3).ok());  // 3 heads: 0..2
  EXPECT_FALSE(toHeatmap(rollout, 0).ok());                               // rollout has no per-head maps
}

TEST(Explain, GradientAttentionDependsOnTheClass) {
  auto model = VitModel::create(tinyConfig(/*depth=*/2, 0, /*classes=*/4), 6).value();
  const InputBatch x = randomInput(2, 64, 10);
  auto byTop1 = model->explain(x, ExplainMethod::GradientAttention);
  ASSERT_TRUE(byTop1.ok()) << byTop1.error().describe();
  const auto logits = model->predict(x).value();
  for (int i = 0; i < 2; ++i) {
    const auto& l = logits[static_cast<std::size_t>(i)].logits;
    EXPECT_EQ(byTop1.value()[static_cast<std::size_t>(i)].targetClass,
              std::max_element(l.begin(), l.end()) - l.begin());
  }
  auto class0 = model->explain(x, ExplainMethod::GradientAttention, 0).value();
  auto class3 = model->explain(x, ExplainMethod::GradientAttention, 3).value();
  EXPECT_EQ(class0[1].targetClass, 0);
  const double r = correlation(class0[0].mean, class3[0].mean);
  std::cout << "[explain] gradcam class 0 vs class 3 correlation " << r << "\n";
  EXPECT_LT(r, 0.95);
  EXPECT_NE(class0[0].mean, class3[0].mean);
  // Asking for the top-1 class by number gives the same map as the default.
  const int t = byTop1.value()[0].targetClass;
  EXPECT_EQ(model->explain(x, ExplainMethod::GradientAttention, t).value()[0].mean, byTop1.value()[0].mean);

  EXPECT_FALSE(model->explain(x, ExplainMethod::GradientAttention, 4).ok());
  EXPECT_FALSE(model->explain(x, ExplainMethod::GradientAttention, -2).ok());
  auto headless = VitModel::create(tinyConfig(2, 0, /*classes=*/0), 7).value();
  auto refused = headless->explain(x, ExplainMethod::GradientAttention);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("needs a classification head"), std::string::npos);
}

TEST(Explain, Bfloat16MapsAgreeWithFloat32) {
  auto model = VitModel::create(tinyConfig(/*depth=*/2), 8).value();
  const InputBatch x = randomInput(1, 64, 13);
  std::vector<std::vector<float>> fp32;
  const std::vector<ExplainMethod> methods{ExplainMethod::ClsAttention, ExplainMethod::Rollout,
                                           ExplainMethod::GradientAttention};
  for (auto method : methods) fp32.push_back(model->explain(x, method, 1).value()[0].mean);
  if (model->setPrecision(Precision::BFloat16).active != Precision::BFloat16)
    GTEST_SKIP() << "no bf16 on this CPU";
  for (std::size_t i = 0; i < methods.size(); ++i) {
    auto bf16 = model->explain(x, methods[i], 1);
    ASSERT_TRUE(bf16.ok()) << toString(methods[i]) << ": " << bf16.error().describe();
    EXPECT_GT(correlation(fp32[i], bf16.value()[0].mean), 0.9) << toString(methods[i]);
  }
}

// Adebayo et al.'s cascading model randomisation: the map must be stable under input
// noise far below what changes the prediction, and must lose its correlation with the
// original as the weights are re-randomised from the top block down.
class ExplainSanity : public ::testing::TestWithParam<ExplainMethod> {};

std::vector<float> mapOf(Vit& net, const torch::Tensor& x, ExplainMethod method, int target) {
  if (method == ExplainMethod::GradientAttention)
    return toFloats(gradientWeightedAttention(*net, x, target).patches[0]);
  torch::NoGradGuard noGrad;
  if (method == ExplainMethod::Rollout) return toFloats(attentionRollout(*net, x).patches[0]);
  return toFloats(net->forward(x, true).clsAttention[0].mean(0));
}

void randomiseLinear(torch::nn::Module& module, double std) {
  torch::NoGradGuard noGrad;
  for (auto& p : module.named_parameters()) {
    if (p.key().find("norm") != std::string::npos) continue;  // LayerNorm stays
    p.value().normal_(0.0, p.key().find("qkv.weight") != std::string::npos ? 3 * std : std);
  }
}

TEST_P(ExplainSanity, StableUnderNoiseAndLostWhenWeightsAreRandomised) {
  const ExplainMethod method = GetParam();
  torch::manual_seed(11);
  VitConfig config = tinyConfig(/*depth=*/4, 0, /*classes=*/4);
  Vit net(config);
  net->initializeWeights();
  // Sharper attention than the 0.02 initialisation (a trained ViT's attention is far from
  // uniform): the same recipe as the re-randomisation below, with another seed.
  for (std::size_t b = 0; b < net->blocks->size(); ++b) randomiseLinear(*net->blocks[b], 0.06);
  net->eval();
  const InputBatch in = randomInput(1, 64, 12);
  const auto x = torch::from_blob(const_cast<float*>(in.data.data()), {1, 3, 64, 64}).clone();
  const int target = 1;
  const auto original = mapOf(net, x, method, target);

  const auto noisy = mapOf(net, x + 0.01 * torch::randn_like(x), method, target);
  const double noiseCorrelation = correlation(original, noisy);

  std::vector<double> cascade;
  torch::manual_seed(99);
  randomiseLinear(*net->head, 0.06);
  cascade.push_back(correlation(original, mapOf(net, x, method, target)));
  for (int b = config.depth - 1; b >= 0; --b) {
    randomiseLinear(*net->blocks[static_cast<std::size_t>(b)], 0.06);
    cascade.push_back(correlation(original, mapOf(net, x, method, target)));
  }
  std::cout << "[explain] " << toString(method) << ": noise correlation " << noiseCorrelation << "; cascade (head, "
            << "block 3 .. 0):";
  for (double c : cascade) std::cout << " " << c;
  std::cout << "\n";
  EXPECT_GT(noiseCorrelation, 0.9);
  EXPECT_LT(cascade.back(), 0.5);
  EXPECT_LT(cascade.back(), noiseCorrelation - 0.4);
}

INSTANTIATE_TEST_SUITE_P(Methods, ExplainSanity,
                         ::testing::Values(ExplainMethod::ClsAttention, ExplainMethod::Rollout,
                                           ExplainMethod::GradientAttention),
                         [](const auto& info) { return std::string(toString(info.param)); });

}  // namespace
