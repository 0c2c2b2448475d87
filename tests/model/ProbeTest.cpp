// Embedding-level adaptation on real tiles (skimage's IHC image, DAB-positive/negative):
// the linear probe against scikit-learn's LogisticRegression on the same embeddings, and
// trainModel/evaluateModel end to end for probe, kNN and prototype — card filled in,
// metrics reproducible from the saved folder, same seed -> same metrics, bad input refused.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "IhcTiles.hpp"
#include "PeerPython.hpp"
#include "TempDir.hpp"
#include "meridian/model/Trainer.hpp"
#include "meridian/model/VitModel.hpp"
#include "meridian/model/metrics/Splits.hpp"
#include "train/LinearProbe.hpp"

namespace meridian::model {
namespace {

/// The labelled tiles, a saved seed-fixed tiny ViT as base model, and the tiles' embeddings.
class ProbeIhc : public ::testing::Test {
 protected:
  void SetUp() override {
    auto set = readLabelsCsv(test::ihcTilesDir() / "labels.csv");
    ASSERT_TRUE(set.ok()) << set.error().describe();
    labels = set.value();
    auto model = VitModel::create(test::tinyVitConfig(), 42);
    ASSERT_TRUE(model.ok());
    ModelCard card;
    card.name = "tiny-base";
    model.value()->setCard(card);
    ASSERT_TRUE(model.value()->save(dir / "base").ok());
  }
  LabelSet labels;
  test::TempDir dir;
};

TEST_F(ProbeIhc, LinearProbeMatchesScikitLearnLogisticRegression) {
  auto model = VitModel::load(dir / "base").value();
  std::vector<std::filesystem::path> paths;
  for (const auto& image : labels.images) paths.push_back(image.path);
  const auto embedded = embedImages(*model, "m", paths, test::readPpm, nullptr).value();
  const auto binary = labels.classIndices();
  std::vector<int> threeClass;  // a multinomial case on the same real embeddings
  for (std::size_t i = 0; i < binary.size(); ++i)
    threeClass.push_back(binary[i] + (i % 5 == 0 ? 1 : 0) * (binary[i] == 1));

  for (const auto& [y, classes] : {std::pair{binary, 2}, std::pair{threeClass, 3}}) {
    train::LinearProbeOptions options;
    options.inverseRegularization = 0.5;
    const auto head = train::fitLinearProbe(embedded.embeddings, y, classes, options);
    ASSERT_TRUE(head.ok()) << head.error().describe();
    std::ofstream(dir / "in.json")
        << nlohmann::json{{"x", embedded.embeddings}, {"y", y}, {"C", 0.5}, {"balanced", true}}.dump();
    ASSERT_EQ(
        test::runPeerScript("sklearn_probe.py", test::quoted(dir / "in.json") + " " + test::quoted(dir / "out.json")),
        0);
    const auto peer = nlohmann::json::parse(std::ifstream(dir / "out.json"));
    double maxDiff = 0.0;
    std::size_t correct = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
      const auto p = head.value().probabilities(embedded.embeddings[i]);
      for (int c = 0; c < classes; ++c)
        maxDiff =
            std::max(maxDiff, std::abs(p[static_cast<std::size_t>(c)] - peer["probabilities"][i][c].get<double>()));
      correct += static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin()) == y[i];
    }
    EXPECT_LT(maxDiff, 1e-3) << classes << " classes";
    EXPECT_NEAR(static_cast<double>(correct) / y.size(), peer["accuracy"].get<double>(), 1.0 / y.size() + 1e-12);
  }
}

TEST_F(ProbeIhc, TrainWritesAModelWhoseCardMetricsTheFolderReproduces) {
  const EmbeddingCache cache(dir / "cache");
  TrainOptions options;
  options.seed = 7;
  options.folds = 3;
  options.evaluation.bootstrap.resamples = 200;
  const auto report = trainModel(dir / "base", labels, dir / "probe", options, test::readPpm, &cache);
  ASSERT_TRUE(report.ok()) << report.error().describe();
  const auto& card = report.value().card;
  EXPECT_EQ(card.provenance.method, "probe");
  EXPECT_EQ(card.provenance.baseModel, "tiny-base");
  EXPECT_EQ(card.provenance.baseModelSha256.size(), 64u);
  EXPECT_EQ(card.provenance.trainingDataSha256.size(), 64u);
  EXPECT_NE(card.provenance.split.find("patient-level"), std::string::npos) << card.provenance.split;
  EXPECT_EQ(card.provenance.seed, 7u);
  EXPECT_EQ(card.provenance.hyperParameters.at("C"), "1");
  ASSERT_EQ(card.tasks.size(), 1u);
  EXPECT_EQ(card.tasks[0].labels, labels.classes);
  const auto auroc = card.provenance.metrics.at("auroc");
  EXPECT_LE(auroc.ciLow, auroc.value);
  EXPECT_GE(auroc.ciHigh, auroc.value);
  EXPECT_TRUE(card.provenance.metrics.count("cv_auroc"));
  EXPECT_EQ(report.value().trainImages + report.value().heldOutImages, labels.images.size());
  EXPECT_EQ(report.value().embedding.computed, labels.images.size());

  // The saved folder scores the held-out tiles exactly as training did.
  // The same seeded split gives the held-out rows back.
  auto split = metrics::holdOutSplit(labels.classIndices(), 2, labels.patients(), options.valFraction, options.seed);
  ASSERT_TRUE(split.ok());
  const auto heldOut = labels.subset(split.value().test);
  auto evaluated = evaluateModel(dir / "probe", heldOut, options.evaluation, test::readPpm, &cache);
  ASSERT_TRUE(evaluated.ok()) << evaluated.error().describe();
  EXPECT_NEAR(evaluated.value().auroc.value, auroc.value, 1e-6);
  EXPECT_EQ(evaluated.value().n, report.value().heldOutImages);

  // Same seed and data: the same metrics (the second run reads the embedding cache).
  const auto again = trainModel(dir / "base", labels, dir / "probe2", options, test::readPpm, &cache);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value().embedding.fromCache, labels.images.size());
  for (const auto& [name, value] : card.provenance.metrics) {
    const auto& other = again.value().card.provenance.metrics.at(name);
    EXPECT_EQ(other.value, value.value) << name;
    EXPECT_EQ(other.ciLow, value.ciLow) << name;
    EXPECT_EQ(other.ciHigh, value.ciHigh) << name;
  }
}

TEST_F(ProbeIhc, KnnAndPrototypeSaveABankThatEvaluationUses) {
  for (auto method : {TrainMethod::Knn, TrainMethod::Prototype}) {
    TrainOptions options;
    options.method = method;
    options.seed = 3;
    options.evaluation.bootstrap.resamples = 100;
    const auto out = dir / toString(method);
    const auto report = trainModel(dir / "base", labels, out, options, test::readPpm, nullptr);
    ASSERT_TRUE(report.ok()) << report.error().describe();
    EXPECT_EQ(report.value().card.provenance.method, toString(method));
    EXPECT_TRUE(std::filesystem::exists(out / "classifier.safetensors"));
    auto split = metrics::holdOutSplit(labels.classIndices(), 2, labels.patients(), 0.2, 3).value();
    auto evaluated = evaluateModel(out, labels.subset(split.test), options.evaluation, test::readPpm, nullptr);
    ASSERT_TRUE(evaluated.ok()) << evaluated.error().describe();
    EXPECT_NEAR(evaluated.value().auroc.value, report.value().heldOut.auroc.value, 1e-9) << toString(method);
  }
}

TEST_F(ProbeIhc, BadInputIsRefusedBeforeTraining) {
  TrainOptions options;
  options.minPerClass = 200;  // 128 per class
  auto tooFew = trainModel(dir / "base", labels, dir / "x", options, test::readPpm, nullptr);
  ASSERT_FALSE(tooFew.ok());
  EXPECT_NE(tooFew.error().message.find("at least 200 per class"), std::string::npos) << tooFew.error().message;
  EXPECT_FALSE(std::filesystem::exists(dir / "x"));

  // Every positive tile in one "patient": no patient-level split can hold positives on both sides.
  auto skewed = labels;
  for (auto& image : skewed.images) image.patient = image.label == "dab_positive" ? "P0" : image.patient;
  auto impossible = trainModel(dir / "base", skewed, dir / "y", TrainOptions{}, test::readPpm, nullptr);
  ASSERT_FALSE(impossible.ok());
  EXPECT_NE(impossible.error().message.find("patient-level"), std::string::npos) << impossible.error().message;

  TrainOptions lora;  // cross-validation is for the embedding methods only
  lora.method = TrainMethod::Lora;
  lora.folds = 3;
  auto refused = trainModel(dir / "base", labels, dir / "z", lora, test::readPpm, nullptr);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("cross-validation"), std::string::npos) << refused.error().message;
  EXPECT_FALSE(std::filesystem::exists(dir / "z"));
}

}  // namespace
}  // namespace meridian::model
