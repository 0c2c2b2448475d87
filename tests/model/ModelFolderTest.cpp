// A model on disk: model.json (architecture, preprocessing, card) + weights.safetensors,
// with the weights' SHA-256 checked on load.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>

#include "RandomInput.hpp"
#include "TempDir.hpp"
#include "meridian/core/FileHash.hpp"
#include "meridian/model/VitModel.hpp"

using namespace meridian;
using namespace meridian::model;
using namespace meridian::model::test;

namespace {

VitConfig tinyConfig(int classes = 3) {
  VitConfig c;
  c.imageSize = 32;
  c.patchSize = 16;
  c.embedDim = 32;
  c.depth = 1;
  c.heads = 2;
  c.numClasses = classes;
  return c;
}

ModelCard chestCard() {
  ModelCard card;
  card.name = "chest-ct-demo";
  card.modality = "CT";
  card.tasks = {{"finding", {"normal", "nodule", "effusion"}}};
  card.provenance.baseModel = "vit_t_16 (random init)";
  card.provenance.method = "probe";
  card.provenance.trainingDataSha256 = core::sha256OfBytes("train list");
  card.provenance.trainingImages = 120;
  card.provenance.split = "patient-level 80/20, seed 7";
  card.provenance.seed = 18446744073709551557ull;  // the largest 64-bit prime: survives JSON
  card.provenance.hyperParameters = {{"lr", "0.001"}, {"epochs", "10"}};
  card.provenance.metrics = {{"auroc", {0.91, 0.87, 0.95}}};
  card.provenance.notes = "test";
  return card;
}

PreprocessConfig ctPreprocess() {
  PreprocessConfig p;
  p.modality = InputModality::CT;
  p.ctWindows = {*ctWindowPreset("lung"), *ctWindowPreset("mediastinum"), *ctWindowPreset("bone")};
  p.mean = {0.5f, 0.5f, 0.5f};
  p.std = {0.25f, 0.25f, 0.25f};
  return p;
}

nlohmann::json readJson(const std::filesystem::path& path) {
  return nlohmann::json::parse(readBytes(path));
}

void writeJson(const std::filesystem::path& path, const nlohmann::json& j) {
  writeBytes(path, j.dump(2));
}

std::string loadError(const std::filesystem::path& dir) {
  auto loaded = VitModel::load(dir);
  return loaded.ok() ? std::string("(loaded)") : loaded.error().message;
}

TEST(ModelFolder, SaveWritesModelJsonAndWeightsAndLoadRestoresEverything) {
  TempDir dir;
  auto model = VitModel::create(tinyConfig(), 11, ctPreprocess()).value();
  model->setCard(chestCard());
  ASSERT_TRUE(model->save(dir.path()).ok());
  EXPECT_TRUE(std::filesystem::exists(dir / "model.json"));
  EXPECT_TRUE(std::filesystem::exists(dir / "weights.safetensors"));
  EXPECT_FALSE(std::filesystem::exists(dir / "config.json"));

  const std::string hash = core::sha256OfFile(dir / "weights.safetensors").value();
  EXPECT_EQ(model->card().provenance.weightsSha256, hash);  // save() updates the card it holds
  EXPECT_FALSE(model->card().provenance.createdAt.empty());

  const auto j = readJson(dir / "model.json");
  EXPECT_EQ(j["format"], "meridian-model");
  EXPECT_EQ(j["provenance"]["weights_sha256"], hash);
  EXPECT_EQ(j["architecture"]["embed_dim"], 32);
  EXPECT_EQ(j["preprocess"]["modality"], "ct");
  EXPECT_EQ(j["tasks"][0]["labels"][1], "nodule");

  auto loaded = VitModel::load(dir.path());
  ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
  const ModelCard& card = loaded.value()->card();
  EXPECT_EQ(card.name, "chest-ct-demo");
  EXPECT_EQ(card.modality, "CT");
  ASSERT_EQ(card.tasks.size(), 1u);
  EXPECT_EQ(card.tasks[0].labels, (std::vector<std::string>{"normal", "nodule", "effusion"}));
  EXPECT_EQ(card.provenance.seed, 18446744073709551557ull);
  EXPECT_EQ(card.provenance.trainingImages, 120u);
  EXPECT_EQ(card.provenance.hyperParameters.at("epochs"), "10");
  EXPECT_DOUBLE_EQ(card.provenance.metrics.at("auroc").ciLow, 0.87);
  EXPECT_EQ(card.provenance.weightsSha256, hash);
  const PreprocessConfig& p = loaded.value()->preprocessConfig();
  EXPECT_EQ(p.modality, InputModality::CT);
  ASSERT_EQ(p.ctWindows.size(), 3u);
  EXPECT_DOUBLE_EQ(p.ctWindows[0].center, -600.0);
  EXPECT_DOUBLE_EQ(p.ctWindows[2].width, 1800.0);
  EXPECT_FLOAT_EQ(p.std[1], 0.25f);

  const InputBatch x = randomInput(1, 32, 3);
  EXPECT_EQ(loaded.value()->predict(x).value()[0].logits, model->predict(x).value()[0].logits);
}

TEST(ModelFolder, ChangedWeightsAreRefusedNamingBothHashes) {
  TempDir dir;
  auto model = VitModel::create(tinyConfig(), 12).value();
  ASSERT_TRUE(model->save(dir.path()).ok());
  const std::string recorded = model->card().provenance.weightsSha256;
  // Another model's weights (same architecture, so they would load fine) in place of ours.
  TempDir other;
  ASSERT_TRUE(VitModel::create(tinyConfig(), 13).value()->save(other.path()).ok());
  std::filesystem::copy_file(other / "weights.safetensors", dir / "weights.safetensors",
                             std::filesystem::copy_options::overwrite_existing);
  const std::string actual = core::sha256OfFile(dir / "weights.safetensors").value();
  ASSERT_NE(actual, recorded);
  const std::string message = loadError(dir.path());
  EXPECT_NE(message.find(recorded), std::string::npos) << message;
  EXPECT_NE(message.find(actual), std::string::npos) << message;

  // No recorded hash at all: nothing to verify against, also refused.
  auto j = readJson(dir / "model.json");
  j["provenance"].erase("weights_sha256");
  writeJson(dir / "model.json", j);
  EXPECT_NE(loadError(dir.path()).find("weights_sha256 is missing"), std::string::npos) << loadError(dir.path());
}

TEST(ModelFolder, LabelsMustMatchTheHead) {
  TempDir dir;
  auto model = VitModel::create(tinyConfig(3), 14).value();
  ModelCard card = chestCard();
  card.tasks[0].labels.pop_back();  // 2 labels, 3 classes
  model->setCard(card);
  auto saved = model->save(dir.path());
  ASSERT_FALSE(saved.ok());
  EXPECT_NE(saved.error().message.find("2 labels for a head with 3 classes"), std::string::npos)
      << saved.error().message;
  EXPECT_FALSE(model->predict(randomInput(1, 32, 4)).ok());  // unnamed outputs would be mislabelled

  // A hand-edited model.json with one label too many is refused on load.
  model->setCard(chestCard());
  ASSERT_TRUE(model->save(dir.path()).ok());
  auto j = readJson(dir / "model.json");
  j["tasks"][0]["labels"].push_back("extra");
  writeJson(dir / "model.json", j);
  EXPECT_NE(loadError(dir.path()).find("4 labels for a head with 3 classes"), std::string::npos)
      << loadError(dir.path());

  // Duplicate labels and tasks on a headless model are refused too.
  card = chestCard();
  card.tasks[0].labels[2] = "normal";
  EXPECT_FALSE(checkTasksFitHead(card, 3).ok());
  EXPECT_FALSE(checkTasksFitHead(chestCard(), 0).ok());
  EXPECT_TRUE(checkTasksFitHead(ModelCard{}, 0).ok());
}

TEST(ModelFolder, SeveralTasksGetOneSoftmaxEach) {
  auto model = VitModel::create(tinyConfig(5), 15).value();
  ModelCard card;
  card.tasks = {{"finding", {"normal", "abnormal"}}, {"site", {"left", "right", "both"}}};
  model->setCard(card);
  auto p = model->predict(randomInput(1, 32, 5));
  ASSERT_TRUE(p.ok()) << p.error().describe();
  const auto& probs = p.value()[0].probabilities;
  const auto& logits = p.value()[0].logits;
  ASSERT_EQ(probs.size(), 5u);
  EXPECT_NEAR(probs[0] + probs[1], 1.0, 1e-5);
  EXPECT_NEAR(probs[2] + probs[3] + probs[4], 1.0, 1e-5);
  const double z = std::exp(double(logits[2])) + std::exp(double(logits[3])) + std::exp(double(logits[4]));
  EXPECT_NEAR(probs[3], std::exp(double(logits[3])) / z, 1e-5);
}

TEST(ModelFolder, MalformedModelJsonIsRefusedNamingTheKey) {
  TempDir dir;
  ASSERT_TRUE(VitModel::create(tinyConfig(), 16).value()->save(dir.path()).ok());
  const auto good = readJson(dir / "model.json");
  auto expectRefused = [&](nlohmann::json j, const std::string& text) {
    writeJson(dir / "model.json", j);
    const std::string message = loadError(dir.path());
    EXPECT_NE(message.find(text), std::string::npos) << "expected '" << text << "' in: " << message;
  };
  auto j = good;
  j["architecture"]["depth"] = "twelve";
  expectRefused(j, "architecture.depth");
  j = good;
  j["preprocess"]["ct_windows"] =
      nlohmann::json::array({{{"center", 40}, {"width", 400}}, {{"center", 0}, {"width", 1}}});
  j["preprocess"]["modality"] = "ct";
  expectRefused(j, "use 1 (replicated) or 3");
  j = good;
  j["preprocess"]["modality"] = "xray";
  expectRefused(j, "preprocess.modality");
  j = good;
  j["provenance"]["seed"] = -1;
  expectRefused(j, "provenance.seed");
  j = good;
  j["format"] = "something-else";
  expectRefused(j, "format");
  j = good;
  j["format_version"] = 99;
  expectRefused(j, "format_version 99");
  writeBytes(dir / "model.json", "{ not json");
  EXPECT_NE(loadError(dir.path()).find("not a JSON object"), std::string::npos);
  std::filesystem::remove(dir / "model.json");
  EXPECT_NE(loadError(dir.path()).find("model.json: cannot open"), std::string::npos);
}

}  // namespace
