// bf16 inference: the CPU check, the fallback, exact return to fp32, and that bf16 and fp32
// agree on a small model (real-image agreement on ViT-B/16 is in PrecisionRealImagesTest).

#include <gtest/gtest.h>

#include <cmath>

#include "RandomInput.hpp"
#include "TempDir.hpp"
#include "meridian/model/Precision.hpp"
#include "meridian/model/VitModel.hpp"

using namespace meridian;
using namespace meridian::model;
using namespace meridian::model::test;

namespace {

VitConfig smallConfig() {
  VitConfig c;
  c.imageSize = 64;
  c.patchSize = 16;
  c.embedDim = 64;
  c.depth = 3;
  c.heads = 4;
  c.numClasses = 10;
  c.layerScaleInit = 0.5;  // LayerScale must stay fp32 in the bf16 path too
  return c;
}

std::vector<float> allLogits(const std::vector<Prediction>& ps) {
  std::vector<float> out;
  for (const auto& p : ps) out.insert(out.end(), p.logits.begin(), p.logits.end());
  return out;
}

TEST(Bf16Support, ReadsTheCpuFlags) {
  const std::string head = "processor\t: 0\nvendor_id\t: GenuineIntel\n";
  EXPECT_TRUE(bf16SupportFromCpuInfo(head + "flags\t\t: fpu avx512f avx512_bf16 avx512_vnni\n").available);
  EXPECT_TRUE(bf16SupportFromCpuInfo(head + "flags\t\t: fpu avx512f amx_tile amx_bf16\n").available);
  const auto none = bf16SupportFromCpuInfo(head + "flags\t\t: fpu avx2 avx512f avx512bw avx512_vnni\n");
  EXPECT_FALSE(none.available);
  EXPECT_NE(none.reason.find("neither"), std::string::npos) << none.reason;
  // A flag name that merely contains the word must not count.
  EXPECT_FALSE(bf16SupportFromCpuInfo(head + "flags\t\t: avx512_bf16x\n").available);
  EXPECT_FALSE(bf16SupportFromCpuInfo("Processor\t: ARMv8\nFeatures\t: fp asimd bf16\n").available);
}

TEST(Precision, DefaultIsFloat32AndBf16FollowsTheCpu) {
  auto model = VitModel::create(smallConfig(), 5).value();
  EXPECT_EQ(model->precision(), Precision::Float32);
  const auto choice = model->setPrecision(Precision::BFloat16);
  std::cout << "[precision] bf16 on this CPU: " << bf16Support().available << " (" << bf16Support().reason << ")\n";
  EXPECT_EQ(choice.requested, Precision::BFloat16);
  EXPECT_EQ(choice.active, bf16Support().available ? Precision::BFloat16 : Precision::Float32);
  EXPECT_EQ(model->precision(), choice.active);
  EXPECT_FALSE(choice.reason.empty());
  if (!bf16Support().available) {
    EXPECT_NE(choice.reason.find("unavailable"), std::string::npos) << choice.reason;
  }
}

TEST(Precision, ReturningToFloat32IsExactAndSaveKeepsFloat32) {
  auto model = VitModel::create(smallConfig(), 6).value();
  const auto input = randomInput(2, 64, 1);
  const auto before = allLogits(model->predict(input).value());
  model->setPrecision(Precision::BFloat16);
  TempDir dir;
  ASSERT_TRUE(model->save(dir.path()).ok());  // while bf16 may be active
  model->setPrecision(Precision::Float32);
  EXPECT_EQ(allLogits(model->predict(input).value()), before) << "fp32 weights were not restored bit for bit";
  auto reloaded = VitModel::load(dir.path());
  ASSERT_TRUE(reloaded.ok()) << reloaded.error().describe();
  EXPECT_EQ(allLogits(reloaded.value()->predict(input).value()), before) << "save() wrote rounded weights";
}

TEST(Precision, Bf16AgreesWithFloat32OnASmallModel) {
  if (!bf16Support().available) GTEST_SKIP() << "bf16 unavailable: " << bf16Support().reason;
  auto model = VitModel::create(smallConfig(), 7).value();
  const auto input = randomInput(3, 64, 2);
  const auto fp32 = model->predict(input).value();
  const auto maps32 = model->clsAttention(input).value();
  ASSERT_EQ(model->setPrecision(Precision::BFloat16).active, Precision::BFloat16);
  const auto bf16 = model->predict(input).value();
  const auto maps16 = model->clsAttention(input).value();
  double logitDiff = 0, logitScale = 0, mapDiff = 0;
  for (std::size_t i = 0; i < fp32.size(); ++i) {
    for (std::size_t j = 0; j < fp32[i].logits.size(); ++j) {
      logitDiff = std::max(logitDiff, std::abs(double(fp32[i].logits[j]) - bf16[i].logits[j]));
      logitScale = std::max(logitScale, std::abs(double(fp32[i].logits[j])));
    }
    for (std::size_t j = 0; j < maps32[i].perHead.size(); ++j)
      mapDiff = std::max(mapDiff, std::abs(double(maps32[i].perHead[j]) - maps16[i].perHead[j]));
  }
  std::cout << "[precision] small model: max logit diff " << logitDiff << " (scale " << logitScale
            << "), max attention diff " << mapDiff << "\n";
  EXPECT_GT(logitDiff, 0.0) << "bf16 gave bit-identical logits: the bf16 path did not run";
  // bf16 keeps 8 mantissa bits (relative step 2^-8 = 0.4%); a few layers of it stay within a few %.
  EXPECT_LT(logitDiff / logitScale, 0.05);
  EXPECT_LT(mapDiff, 0.02);
}

}  // namespace
