// Image-level adaptation on real tiles (skimage's IHC image): partial, LoRA and full
// fine-tuning write model folders whose held-out metrics the folder reproduces; the same
// seed gives the same metrics; a diverging run stops and keeps the last good state; bf16
// autocast is used where the CPU has it; cancel stops the job.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "IhcTiles.hpp"
#include "TempDir.hpp"
#include "meridian/model/Precision.hpp"
#include "meridian/model/Trainer.hpp"
#include "meridian/model/VitModel.hpp"
#include "meridian/model/metrics/Splits.hpp"
#include "train/FineTune.hpp"

namespace meridian::model {
namespace {

class FineTuneIhc : public ::testing::Test {
 protected:
  void SetUp() override {
    auto set = readLabelsCsv(test::ihcTilesDir() / "labels.csv");
    ASSERT_TRUE(set.ok()) << set.error().describe();
    // Every other tile (128, all 16 regions): enough to learn, quick enough for a unit test.
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < set.value().images.size(); i += 2) rows.push_back(i);
    labels = set.value().subset(rows);
    auto model = VitModel::create(test::tinyVitConfig(), 42);
    ASSERT_TRUE(model.ok());
    ModelCard card;
    card.name = "tiny-base";
    model.value()->setCard(card);
    ASSERT_TRUE(model.value()->save(dir / "base").ok());
  }
  TrainOptions quick(TrainMethod method) const {
    TrainOptions options;
    options.method = method;
    options.seed = 11;
    options.epochs = 2;
    options.batchSize = 32;
    options.lr = 3e-3;
    options.bf16 = false;  // exact comparisons with the float32 evaluation path
    options.evaluation.bootstrap.resamples = 100;
    return options;
  }
  double heldOutAurocOf(const std::filesystem::path& model, const TrainOptions& options) {
    auto split = metrics::holdOutSplit(labels.classIndices(), 2, labels.patients(), options.valFraction, options.seed);
    auto report = evaluateModel(model, labels.subset(split.value().test), options.evaluation, test::readPpm, nullptr);
    EXPECT_TRUE(report.ok()) << report.error().describe();
    return report.ok() ? report.value().auroc.value : -1.0;
  }
  /// Trains `method`, checks the card and that the saved folder reproduces the held-out AUROC.
  void trainAndCheck(TrainMethod method) {
    auto options = quick(method);
    options.blocks = 1;
    options.rank = 4;
    options.accumulation = method == TrainMethod::Full ? 2 : 1;
    const auto out = dir / toString(method);
    const auto report = trainModel(dir / "base", labels, out, options, test::readPpm, nullptr);
    ASSERT_TRUE(report.ok()) << toString(method) << ": " << report.error().describe();
    const auto& card = report.value().card;
    EXPECT_EQ(card.provenance.method, toString(method));
    EXPECT_EQ(card.provenance.hyperParameters.at("optimizer"), "AdamW");
    EXPECT_EQ(card.provenance.hyperParameters.at("layer_decay"), "0.75");
    EXPECT_FALSE(report.value().trainingNote.empty());
    EXPECT_NE(card.provenance.notes.find("Training: "), std::string::npos);
    EXPECT_FALSE(report.value().divergedAndStopped);
    if (method == TrainMethod::Lora) {
      EXPECT_EQ(card.provenance.hyperParameters.at("rank"), "4");
    }
    // The folder (LoRA merged) scores the held-out tiles as training did.
    EXPECT_NEAR(heldOutAurocOf(out, options), card.provenance.metrics.at("auroc").value, 1e-4) << toString(method);
    // It learned: the backbone's features moved (a run that updated no backbone weight, or a
    // LoRA whose adapters were never merged, keeps the base's embedding) and the held-out
    // tiles are told apart well above chance (DAB-positive vs negative is learnable).
    auto base = VitModel::load(dir / "base");
    auto trained = VitModel::load(out);
    ASSERT_TRUE(base.ok() && trained.ok());
    double moved = 0;
    for (std::size_t i = 0; i < labels.images.size(); i += labels.images.size() / 4) {
      const auto image = test::readPpm(labels.images[i].path);
      ASSERT_TRUE(image.ok());
      const auto a = base.value()->predict(image.value()), b = trained.value()->predict(image.value());
      ASSERT_TRUE(a.ok() && b.ok());
      for (std::size_t k = 0; k < a.value().embedding.size(); ++k)
        moved = std::max(moved, static_cast<double>(std::abs(a.value().embedding[k] - b.value().embedding[k])));
    }
    EXPECT_GT(moved, 1e-3) << toString(method) << ": the backbone's features did not change";
    EXPECT_GT(card.provenance.metrics.at("auroc").value, kLearnedAuroc) << toString(method);
  }
  static constexpr double kLearnedAuroc = 0.8;
  LabelSet labels;
  test::TempDir dir;
};

TEST_F(FineTuneIhc, PartialWritesAFolderThatReproducesItsMetrics) {
  trainAndCheck(TrainMethod::Partial);
}
TEST_F(FineTuneIhc, LoraMergedWritesAFolderThatReproducesItsMetrics) {
  trainAndCheck(TrainMethod::Lora);
}
TEST_F(FineTuneIhc, FullWithAccumulationWritesAFolderThatReproducesItsMetrics) {
  trainAndCheck(TrainMethod::Full);
}

TEST_F(FineTuneIhc, SameSeedSameMetrics) {
  const auto options = quick(TrainMethod::Partial);
  const auto a = trainModel(dir / "base", labels, dir / "a", options, test::readPpm, nullptr);
  const auto b = trainModel(dir / "base", labels, dir / "b", options, test::readPpm, nullptr);
  ASSERT_TRUE(a.ok() && b.ok());
  for (const auto& [name, value] : a.value().card.provenance.metrics) {
    EXPECT_EQ(b.value().card.provenance.metrics.at(name).value, value.value) << name;
    EXPECT_EQ(b.value().card.provenance.metrics.at(name).ciLow, value.ciLow) << name;
  }
  EXPECT_EQ(a.value().card.provenance.weightsSha256, b.value().card.provenance.weightsSha256);
}

TEST_F(FineTuneIhc, ADivergingRunStopsAndKeepsTheLastGoodState) {
  auto options = quick(TrainMethod::Full);
  options.lr = 1e30;
  options.warmupFraction = 0.0;
  const auto report = trainModel(dir / "base", labels, dir / "nan", options, test::readPpm, nullptr);
  ASSERT_TRUE(report.ok()) << report.error().describe();
  EXPECT_TRUE(report.value().divergedAndStopped);
  EXPECT_NE(report.value().trainingNote.find("last good checkpoint"), std::string::npos) << report.value().trainingNote;
  EXPECT_NE(report.value().card.provenance.notes.find("last good checkpoint"), std::string::npos);
  auto saved = VitModel::load(dir / "nan");
  ASSERT_TRUE(saved.ok()) << saved.error().describe();
  EXPECT_TRUE(std::isfinite(report.value().card.provenance.metrics.at("auroc").value));
}

TEST_F(FineTuneIhc, Bf16WhereAvailableAndCancelStops) {
  auto options = quick(TrainMethod::Lora);
  options.epochs = 1;
  options.bf16 = true;
  const auto report = trainModel(dir / "base", labels, dir / "bf16", options, test::readPpm, nullptr);
  ASSERT_TRUE(report.ok()) << report.error().describe();
  EXPECT_EQ(report.value().usedBf16, bf16Support().available);
  EXPECT_EQ(report.value().card.provenance.hyperParameters.at("precision"),
            bf16Support().available ? "bf16 autocast" : "float32");

  core::JobControl job;
  job.cancel();
  const auto cancelled =
      trainModel(dir / "base", labels, dir / "c", quick(TrainMethod::Full), test::readPpm, nullptr, job);
  ASSERT_FALSE(cancelled.ok());
  EXPECT_EQ(cancelled.error().code, core::ErrorCode::Cancelled);
}

}  // namespace
}  // namespace meridian::model

namespace meridian::model::train {
namespace {

// bf16 autocast must really change the arithmetic (a silently inactive autocast would give
// bit-identical losses) while staying close to float32.
TEST(FineTuneAutocast, Bf16ChangesTheArithmeticButNotTheResult) {
  if (!bf16Support().available) GTEST_SKIP() << "no native bf16: " << bf16Support().reason;
  torch::manual_seed(2);
  Vit net(test::tinyVitConfig(2));
  net->initializeWeights();
  const auto x = torch::randn({8, 3, 32, 32});
  const auto y = torch::tensor({0, 1, 0, 1, 0, 1, 0, 1}, torch::kLong);
  const auto weight = torch::ones({2});
  const double fp32 = forwardBackward(net, x, y, weight, 1, false);
  const auto gradFp32 = net->head->weight.grad().clone();
  net->zero_grad();
  const double bf16 = forwardBackward(net, x, y, weight, 1, true);
  EXPECT_NE(fp32, bf16);
  EXPECT_NEAR(fp32, bf16, 0.05);
  EXPECT_TRUE(net->head->weight.grad().defined());
  EXPECT_EQ(net->head->weight.grad().scalar_type(), torch::kFloat);  // master weights stay fp32
  EXPECT_LT((net->head->weight.grad() - gradFp32).abs().max().item<double>(), 0.05);
}

}  // namespace
}  // namespace meridian::model::train
