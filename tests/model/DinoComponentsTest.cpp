// The DINO building blocks against hand computations: the loss over cross-view pairs, the
// centre's EMA, the schedules, the multi-crop views' determinism and shapes.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstring>

#include "Vit.hpp"
#include "meridian/model/Precision.hpp"
#include "ssl/DinoLoss.hpp"
#include "train/AutocastScope.hpp"
#include "ssl/DinoStep.hpp"
#include "ssl/MultiCropAugmenter.hpp"
#include "ssl/TeacherForward.hpp"

namespace meridian::model::ssl {
namespace {

// -sum_k softmax((t - c) / tt)_k * log softmax(s / ts)_k, written out with std::exp.
double crossEntropy(const std::vector<double>& t, const std::vector<double>& c, double tt, const std::vector<double>& s,
                    double ts) {
  double zt = 0, zs = 0;
  for (std::size_t k = 0; k < t.size(); ++k) zt += std::exp((t[k] - c[k]) / tt), zs += std::exp(s[k] / ts);
  double h = 0;
  for (std::size_t k = 0; k < t.size(); ++k) h -= std::exp((t[k] - c[k]) / tt) / zt * (s[k] / ts - std::log(zs));
  return h;
}

TEST(DinoLoss, AveragesCrossEntropyOverCrossViewPairsOnly) {
  DinoLoss loss(3, 0.1, 0.9);
  loss.center().copy_(torch::tensor({{0.05f, -0.02f, 0.0f}}));
  const std::vector<std::vector<double>> t = {{0.3, 0.1, -0.2}, {0.0, 0.4, 0.1}};
  const std::vector<std::vector<double>> s = {{0.2, -0.1, 0.3}, {0.5, 0.2, -0.3}, {-0.4, 0.1, 0.2}};
  auto row = [](const std::vector<double>& v) {
    return torch::tensor(std::vector<float>(v.begin(), v.end())).view({1, 3});
  };
  const auto value = loss.forward({row(s[0]), row(s[1]), row(s[2])}, {row(t[0]), row(t[1])}, 0.04).item<double>();
  const std::vector<double> c = {0.05, -0.02, 0.0};
  // Teacher view 0 teaches student views 1, 2; teacher view 1 teaches 0, 2: four pairs.
  const double expected = (crossEntropy(t[0], c, 0.04, s[1], 0.1) + crossEntropy(t[0], c, 0.04, s[2], 0.1) +
                           crossEntropy(t[1], c, 0.04, s[0], 0.1) + crossEntropy(t[1], c, 0.04, s[2], 0.1)) /
                          4.0;
  EXPECT_NEAR(value, expected, 1e-4 * std::abs(expected));
}

TEST(DinoLoss, CentreIsAnEmaOfTheTeacherBatchMean) {
  DinoLoss loss(2, 0.1, 0.9);
  loss.updateCenter(torch::tensor({4.0f, -2.0f}), 4);  // batch mean (1, -0.5)
  EXPECT_NEAR(loss.center()[0][0].item<double>(), 0.1, 1e-6);
  EXPECT_NEAR(loss.center()[0][1].item<double>(), -0.05, 1e-6);
  loss.updateCenter(torch::tensor({4.0f, -2.0f}), 4);
  EXPECT_NEAR(loss.center()[0][0].item<double>(), 0.9 * 0.1 + 0.1, 1e-6);
}

TEST(DinoSchedule, MomentumRisesToOneAndTeacherTemperatureWarmsUp) {
  DinoOptions o;
  o.momentumStart = 0.996;
  o.teacherTemperatureStart = 0.04;
  o.teacherTemperature = 0.07;
  o.teacherTemperatureWarmupSteps = 10;
  o.learningRate = 1e-3;
  o.warmupSteps = 5;
  EXPECT_NEAR(scheduleAt(o, 0, 101).momentum, 0.996, 1e-12);
  EXPECT_NEAR(scheduleAt(o, 50, 101).momentum, 0.998, 1e-12);  // cosine midpoint
  EXPECT_NEAR(scheduleAt(o, 100, 101).momentum, 1.0, 1e-12);
  EXPECT_NEAR(scheduleAt(o, 0, 101).teacherTemperature, 0.04, 1e-12);
  EXPECT_NEAR(scheduleAt(o, 5, 101).teacherTemperature, 0.055, 1e-12);
  EXPECT_NEAR(scheduleAt(o, 60, 101).teacherTemperature, 0.07, 1e-12);
  EXPECT_LT(scheduleAt(o, 0, 101).learningRate, scheduleAt(o, 4, 101).learningRate);    // warm-up
  EXPECT_GT(scheduleAt(o, 10, 101).learningRate, scheduleAt(o, 90, 101).learningRate);  // cosine decay
  EXPECT_NEAR(scheduleAt(o, 0, 101).weightDecay, 0.04, 1e-12);
  EXPECT_NEAR(scheduleAt(o, 100, 101).weightDecay, 0.4, 1e-12);
}

TEST(DinoMultiCrop, ViewsAreDeterministicPerSeedAndSized) {
  MultiCropSettings settings;
  settings.globalSize = 32;
  settings.localSize = 16;
  settings.localCrops = 3;
  MultiCropAugmenter augmenter(settings);
  torch::manual_seed(3);
  const auto image = torch::randint(0, 256, {3, 48, 48}).to(torch::kByte);
  const auto a = augmenter.views(image, true, 42);
  const auto b = augmenter.views(image, true, 42);
  const auto c = augmenter.views(image, true, 43);
  ASSERT_EQ(a.size(), 5u);
  EXPECT_EQ(a[0].sizes(), (std::vector<int64_t>{3, 32, 32}));
  EXPECT_EQ(a[4].sizes(), (std::vector<int64_t>{3, 16, 16}));
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i]));
  EXPECT_FALSE(torch::equal(a[0], c[0]));
  EXPECT_FALSE(torch::equal(a[0], a[1]));  // the two global views differ
  // Grayscale images stay gray under intensity jitter (no colour is invented).
  const auto gray = torch::randint(0, 256, {1, 48, 48}).to(torch::kByte).expand({3, 48, 48}).contiguous();
  for (const auto& v : augmenter.views(gray, false, 7)) {
    const auto unnormalised = v * torch::tensor({0.229f, 0.224f, 0.225f}).view({3, 1, 1}) +
                              torch::tensor({0.485f, 0.456f, 0.406f}).view({3, 1, 1});
    EXPECT_LT((unnormalised[0] - unnormalised[1]).abs().max().item<float>(), 1e-4);
  }
}

TEST(DinoTeacher, NoGradForwardUnderAutocastRunsInBf16) {
  // The teacher's forward runs under NoGradGuard inside DINO's autocast scope. It must compute
  // in bf16 like the student's (grad-mode) forward, not take the fp32 in-place inference path,
  // whose out= products autocast does not cover: then its output equalled the fp32 one bit for
  // bit and every DINO step paid for an fp32 teacher.
  if (!bf16Support().available) GTEST_SKIP() << "no native bf16: " << bf16Support().reason;
  auto config = VitConfig::preset("vit_t_16", 0).value();
  config.imageSize = 32;
  torch::manual_seed(1);
  Vit net(config);
  net->initializeWeights();
  const auto x = torch::randn({2, 3, 32, 32});
  torch::NoGradGuard noGrad;
  const auto fp32 = net->forward(x).features;
  at::Tensor teacher;
  {
    train::AutocastScope autocast(true);
    teacher = net->forward(x).features.to(torch::kFloat);
  }
  at::Tensor student;
  {
    torch::AutoGradMode grad(true);
    train::AutocastScope autocast(true);
    student = net->forward(x).features.to(torch::kFloat).detach();
  }
  const auto bf16Error = (student - fp32).abs().max().item<float>();
  ASSERT_GT(bf16Error, 1e-4);  // bf16 rounding is visible at all
  EXPECT_GT((teacher - fp32).abs().max().item<float>(), bf16Error / 10) << "the no-grad forward ran in fp32";
  EXPECT_LT((teacher - student).abs().max().item<float>(), bf16Error * 2);
}

TEST(DinoTeacher, EngineForwardFollowsWeightsWrittenThroughRawPointers) {
  // The teacher's forward runs on the inference engine, which keeps prepared copies of the
  // weights; the fused EMA writes the weights through raw pointers every step. A pass after
  // such a write must see the new weights (not last step's copies), in bf16 and in fp32, and
  // leave the parameters fp32 for the EMA. Also: the bf16 pass is bf16 (not the fp32 one) and
  // close to the autocast forward it replaced.
  auto config = VitConfig::preset("vit_t_16", 0).value();
  config.imageSize = 32;
  torch::manual_seed(3);
  Vit teacher(config), other(config);
  teacher->initializeWeights();
  other->initializeWeights();
  teacher->eval();
  other->eval();
  const auto x = torch::randn({2, 3, 32, 32});
  const bool bf16 = bf16Support().available;
  for (const bool lowPrecision : bf16 ? std::vector<bool>{true, false} : std::vector<bool>{false}) {
    const auto before = teacherForward(*teacher, x, lowPrecision);
    // What the fused EMA does: new values straight into the parameters' memory.
    std::vector<at::Tensor> saved;
    const auto params = teacher->parameters(), values = other->parameters();
    for (std::size_t i = 0; i < params.size(); ++i) {
      saved.push_back(params[i].detach().clone());
      std::memcpy(params[i].data_ptr<float>(), values[i].data_ptr<float>(), params[i].numel() * sizeof(float));
    }
    const auto after = teacherForward(*teacher, x, lowPrecision);
    const auto expected = teacherForward(*other, x, lowPrecision);
    EXPECT_FALSE(at::equal(before, after)) << "bf16 " << lowPrecision;
    EXPECT_TRUE(at::equal(after, expected)) << "a pass used last step's weights (bf16 " << lowPrecision << ")";
    for (const auto& p : teacher->parameters()) EXPECT_EQ(p.scalar_type(), at::kFloat);
    torch::NoGradGuard noGrad;
    for (std::size_t i = 0; i < params.size(); ++i) params[i].copy_(saved[i]);
  }
  if (!bf16) GTEST_SKIP() << "no native bf16: " << bf16Support().reason;
  torch::NoGradGuard noGrad;
  const auto fp32 = teacherForward(*teacher, x, false);
  const auto engine = teacherForward(*teacher, x, true);
  at::Tensor autocast;
  {
    train::AutocastScope scope(true);
    autocast = teacher->forward(x).features.to(at::kFloat);
  }
  const auto bf16Error = (autocast - fp32).abs().max().item<float>();
  ASSERT_GT(bf16Error, 1e-4);
  EXPECT_GT((engine - fp32).abs().max().item<float>(), bf16Error / 10) << "the teacher ran in fp32";
  EXPECT_LT((engine - autocast).abs().max().item<float>(), bf16Error * 2);
}

TEST(DinoMultiCrop, BlurMatchesADepthwiseConvolution) {
  // The shifted-slice blur against the plain depthwise conv2d it replaced (reflect padding,
  // the same normalised taps), at a radius capped by a small view and at an uncapped one.
  torch::manual_seed(5);
  for (const auto& [side, sigma] : std::vector<std::pair<int, double>>{{40, 1.7}, {9, 2.0}, {24, 0.3}}) {
    const auto view = torch::rand({3, side, side});
    const int radius = std::max(1, std::min(side / 2 - 1, static_cast<int>(std::ceil(3.0 * sigma))));
    auto x = torch::arange(-radius, radius + 1, torch::kFloat);
    auto kernel = torch::exp(-(x * x) / (2.0 * sigma * sigma));
    kernel = kernel / kernel.sum();
    auto ref = at::reflection_pad2d(view.unsqueeze(0), {radius, radius, radius, radius});
    const std::vector<std::int64_t> one{1, 1}, zero{0, 0};
    ref = at::conv2d(ref, kernel.view({1, 1, 1, -1}).repeat({3, 1, 1, 1}), at::Tensor(), one, zero, one, 3);
    ref = at::conv2d(ref, kernel.view({1, 1, -1, 1}).repeat({3, 1, 1, 1}), at::Tensor(), one, zero, one, 3).squeeze(0);
    const auto ours = gaussianBlur(view, sigma);
    ASSERT_EQ(ours.sizes(), view.sizes());
    EXPECT_LT((ours - ref).abs().max().item<float>(), 1e-5) << side << " px, sigma " << sigma;
  }
}

}  // namespace
}  // namespace meridian::model::ssl
