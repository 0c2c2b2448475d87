// Hostile model folders: configurations the weights do not fill are refused before the
// network is allocated; special files are refused by type; NaN/Inf in weights, inputs or
// outputs are refused with the reason.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <functional>
#include <limits>

#include "RandomInput.hpp"
#include "TempDir.hpp"
#include "Vit.hpp"
#include "WeightShapes.hpp"
#include "meridian/core/FileHash.hpp"
#include "meridian/model/SafeTensorsWriter.hpp"
#include "meridian/model/VitModel.hpp"

using namespace meridian;
using namespace meridian::model;
using namespace meridian::model::test;

namespace {

VitConfig tiny() {
  VitConfig c;
  c.imageSize = 32;
  c.patchSize = 16;
  c.embedDim = 32;
  c.depth = 2;
  c.heads = 2;
  c.numClasses = 2;
  return c;
}

std::string loadError(const std::filesystem::path& dir) {
  auto loaded = VitModel::load(dir);
  return loaded.ok() ? std::string("(loaded)") : loaded.error().message;
}

// Rewrites model.json with `edit` applied and the recorded hash kept equal to the weights.
void editModelJson(const TempDir& dir, const std::function<void(nlohmann::json&)>& edit) {
  auto j = nlohmann::json::parse(readBytes(dir / "model.json"));
  edit(j);
  j["provenance"]["weights_sha256"] = core::sha256OfFile(dir / "weights.safetensors").value();
  writeBytes(dir / "model.json", j.dump(2));
}

}  // namespace

TEST(WeightShapes, ComputedShapesEqualTheBuiltNetwork) {
  // The check runs before the network exists, so its table must never drift from Vit.
  std::vector<VitConfig> configs{tiny()};
  VitConfig registers = tiny();
  registers.registerTokens = 4;
  registers.layerScaleInit = 1e-5;
  registers.qkvBias = false;
  registers.numClasses = 0;
  registers.mlpRatio = 2.5;
  configs.push_back(registers);
  VitConfig patch14 = tiny();
  patch14.patchSize = 14;
  patch14.imageSize = 56;
  configs.push_back(patch14);
  for (const VitConfig& c : configs) {
    const auto computed = vitParameterShapes(c);
    Vit net(c);
    ParameterShapes built;  // names, shapes and order
    for (const auto& item : net->named_parameters(true)) built.emplace_back(item.key(), item.value().sizes().vec());
    EXPECT_EQ(computed, built);
  }
}

TEST(ModelFolderHostile, AbsurdConfigurationIsRefusedBeforeTheNetworkIsBuilt) {
  // Before: width 8192, depth 256 with ViT-T-sized weights built the network first (past
  // 7 GB), then an uncaught c10::Error aborted. Now the header is compared first; the
  // message names the first tensor that does not fit.
  TempDir dir;
  ASSERT_TRUE(VitModel::create(tiny(), 1).value()->save(dir.path()).ok());
  editModelJson(dir, [](nlohmann::json& j) {
    j["architecture"]["embed_dim"] = 8192;
    j["architecture"]["depth"] = 256;
    j["architecture"]["num_heads"] = 8;
  });
  const std::string message = loadError(dir.path());
  EXPECT_NE(message.find("the configuration and the weights disagree"), std::string::npos) << message;
  EXPECT_NE(message.find("'cls_token' has shape [1, 1, 32], the model needs [1, 1, 8192]"), std::string::npos) << message;

  editModelJson(dir, [](nlohmann::json& j) {
    j["architecture"]["embed_dim"] = 32;
    j["architecture"]["num_heads"] = 2;
    j["architecture"]["depth"] = 3;
  });
  EXPECT_NE(loadError(dir.path()).find("no tensor for 'blocks.2."), std::string::npos) << loadError(dir.path());
}

TEST(ModelFolderHostile, NumbersThatDoNotFitAreRefusedNamingTheKey) {
  TempDir dir;
  ASSERT_TRUE(VitModel::create(tiny(), 2).value()->save(dir.path()).ok());
  const auto expectRefused = [&](const std::function<void(nlohmann::json&)>& edit, const std::string& text) {
    editModelJson(dir, edit);
    const std::string message = loadError(dir.path());
    EXPECT_NE(message.find(text), std::string::npos) << "expected '" << text << "' in: " << message;
  };
  const auto good = nlohmann::json::parse(readBytes(dir / "model.json"));
  expectRefused([&](nlohmann::json& j) { j = good; j["architecture"]["embed_dim"] = 1e12; }, "embed_dim' must be a whole number");
  expectRefused([&](nlohmann::json& j) { j = good; j["architecture"]["embed_dim"] = 4000000000000ll; }, "embed_dim' is out of range");
  expectRefused([&](nlohmann::json& j) { j = good; j["architecture"]["depth"] = 2.5; }, "depth' must be a whole number");
  expectRefused([&](nlohmann::json& j) { j = good; j["architecture"]["mlp_ratio"] = 1e300; }, "MLP ratio 1e+300");
  expectRefused([&](nlohmann::json& j) { j = good; j["preprocess"]["std"] = {1e-30, 1e-30, 1e-30}; }, "preprocess.std");
  expectRefused([&](nlohmann::json& j) { j = good; j["preprocess"]["mean"] = {1e30, 0, 0}; }, "preprocess.mean");
}

TEST(ModelFolderHostile, SpecialFilesAreRefusedByType) {
  // Before: a weights file linked to /dev/zero was hashed forever, a FIFO blocked forever.
  TempDir dir;
  ASSERT_TRUE(VitModel::create(tiny(), 3).value()->save(dir.path()).ok());
  std::filesystem::rename(dir / "weights.safetensors", dir / "real.safetensors");
  std::filesystem::create_symlink("/dev/zero", dir / "weights.safetensors");
  EXPECT_NE(loadError(dir.path()).find("character device, not a regular file"), std::string::npos)
      << loadError(dir.path());
  std::filesystem::remove(dir / "weights.safetensors");
  ASSERT_EQ(::mkfifo((dir / "weights.safetensors").c_str(), 0600), 0);
  EXPECT_NE(loadError(dir.path()).find("FIFO"), std::string::npos) << loadError(dir.path());
  std::filesystem::remove(dir / "weights.safetensors");
  std::filesystem::rename(dir / "real.safetensors", dir / "weights.safetensors");
  std::filesystem::rename(dir / "model.json", dir / "real.json");
  ASSERT_EQ(::mkfifo((dir / "model.json").c_str(), 0600), 0);
  EXPECT_NE(loadError(dir.path()).find("FIFO"), std::string::npos) << loadError(dir.path());
}

TEST(ModelFolderHostile, NanOrInfiniteWeightsAreRefusedByName) {
  TempDir dir;
  auto model = VitModel::create(tiny(), 4).value();
  ASSERT_TRUE(model->save(dir.path()).ok());
  // Rewrite the weights with one NaN in the head, keeping the recorded hash in step (the
  // damage must be caught by what the file holds, not by the hash).
  auto file = SafeTensorsFile::open(dir / "weights.safetensors").value();
  std::vector<std::vector<std::uint8_t>> keep;
  std::vector<TensorToWrite> tensors;
  for (const auto& e : file.entries()) {
    keep.push_back(file.readBytes(e).value());
    if (e.name == "head.weight") reinterpret_cast<float*>(keep.back().data())[1] = std::nanf("");
    if (e.name == "blocks.1.mlp.fc2.bias")
      reinterpret_cast<float*>(keep.back().data())[0] = std::numeric_limits<float>::infinity();
  }
  for (std::size_t i = 0; i < file.entries().size(); ++i)
    tensors.push_back({file.entries()[i].name, file.entries()[i].dtype, file.entries()[i].shape, keep[i].data()});
  ASSERT_TRUE(writeSafeTensors(dir / "weights.safetensors", tensors, {}).ok());
  editModelJson(dir, [](nlohmann::json&) {});
  const std::string message = loadError(dir.path());
  EXPECT_NE(message.find("holds NaN or infinite values"), std::string::npos) << message;
  EXPECT_NE(message.find("blocks.1.mlp.fc2.bias"), std::string::npos) << message;  // module order: blocks first
}

TEST(ModelFolderHostile, NanOrInfiniteInputsAreRefusedNotPredicted) {
  auto model = VitModel::create(tiny(), 5).value();
  InputBatch x = randomInput(2, 32, 6);
  x.data[3 * 32 * 32 + 17] = std::numeric_limits<float>::infinity();  // second image
  auto p = model->predict(x);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("NaN or infinite values after preprocessing (image 1"), std::string::npos)
      << p.error().message;
  x.data[3 * 32 * 32 + 17] = std::nanf("");
  EXPECT_FALSE(model->explain(x, ExplainMethod::Rollout).ok());

  // A float image holding infinity (what an extreme rescale gives): preprocessing refuses it
  // (a percentile window would otherwise clamp it into a normal-looking picture).
  core::Image2D image = core::Image2D::allocate(32, 32, 1, core::PixelType::Float32).value();
  float* px = image.pixels<float>();
  for (int i = 0; i < 32 * 32; ++i) px[i] = static_cast<float>(i);
  px[100] = std::numeric_limits<float>::infinity();
  auto q = model->predict(image);
  ASSERT_FALSE(q.ok());
  EXPECT_NE(q.error().message.find("NaN or infinite"), std::string::npos) << q.error().message;
}
