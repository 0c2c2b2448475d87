// Key-layout import: timm/DINO layout round trips, and every kind of mismatch is an
// error that names the key. Files are edited with the torch-free safetensors API.

#include <gtest/gtest.h>

#include "GoldenData.hpp"
#include "RandomInput.hpp"
#include "TempDir.hpp"
#include "meridian/model/SafeTensorsWriter.hpp"
#include "meridian/model/VitModel.hpp"

using namespace meridian;
using namespace meridian::model;
using namespace meridian::model::test;

namespace {

VitConfig smallConfig() {
  VitConfig c;
  c.imageSize = 32;
  c.patchSize = 8;
  c.embedDim = 32;
  c.depth = 2;
  c.heads = 4;
  c.registerTokens = 2;
  c.layerScaleInit = 0.5;
  c.numClasses = 5;
  return c;
}

// All tensors of a safetensors file, renamed / dropped / replaced by `edit`.
struct Tensors {
  std::vector<TensorEntry> entries;
  std::vector<std::vector<std::uint8_t>> bytes;
};

Tensors readAll(const std::filesystem::path& path) {
  Tensors t;
  auto file = SafeTensorsFile::open(path);
  EXPECT_TRUE(file.ok());
  for (const auto& e : file.value().entries()) {
    t.entries.push_back(e);
    t.bytes.push_back(file.value().readBytes(e).value());
  }
  return t;
}

void writeAll(const std::filesystem::path& path, const Tensors& t) {
  std::vector<TensorToWrite> out;
  for (std::size_t i = 0; i < t.entries.size(); ++i)
    out.push_back({t.entries[i].name, t.entries[i].dtype, t.entries[i].shape, t.bytes[i].data()});
  ASSERT_TRUE(writeSafeTensors(path, out).ok());
}

std::size_t indexOf(const Tensors& t, const std::string& name) {
  for (std::size_t i = 0; i < t.entries.size(); ++i)
    if (t.entries[i].name == name) return i;
  ADD_FAILURE() << "no tensor " << name;
  return 0;
}

class WeightImport : public ::testing::Test {
 protected:
  void SetUp() override {
    auto model = VitModel::create(smallConfig(), 42);
    ASSERT_TRUE(model.ok()) << model.error().describe();
    model_ = std::move(model).value();
    ASSERT_TRUE(model_->save(dir_.path()).ok());
    weights_ = dir_ / "weights.safetensors";
  }
  // Loads `path` as timm layout and expects an error mentioning `text`.
  void expectError(const std::filesystem::path& path, const std::string& text) {
    auto loaded = VitModel::load(path, smallConfig(), WeightLayout::Timm);
    ASSERT_FALSE(loaded.ok()) << "expected an error about " << text;
    EXPECT_NE(loaded.error().message.find(text), std::string::npos) << loaded.error().describe();
  }
  TempDir dir_;
  std::unique_ptr<VitModel> model_;
  std::filesystem::path weights_;
};

TEST_F(WeightImport, CheckpointUsesTimmKeys) {
  auto file = SafeTensorsFile::open(weights_);
  ASSERT_TRUE(file.ok());
  for (const char* key :
       {"cls_token", "pos_embed", "reg_token", "patch_embed.proj.weight", "blocks.0.norm1.weight",
        "blocks.1.attn.qkv.weight", "blocks.1.attn.proj.bias", "blocks.0.ls1.gamma", "blocks.0.ls2.gamma",
        "blocks.0.mlp.fc1.weight", "blocks.1.mlp.fc2.bias", "norm.bias", "head.weight"})
    EXPECT_NE(file.value().find(key), nullptr) << key;
  EXPECT_EQ(file.value().find("reg_token")->shape, (std::vector<std::int64_t>{1, 2, 32}));
  EXPECT_EQ(file.value().find("pos_embed")->shape, (std::vector<std::int64_t>{1, 17, 32}));
}

TEST_F(WeightImport, TimmLayoutRoundTripGivesIdenticalOutputs) {
  const InputBatch x = randomInput(2, 32, 1);
  auto before = model_->predict(x);
  auto beforeMaps = model_->clsAttention(x);
  ASSERT_TRUE(before.ok() && beforeMaps.ok());

  auto fromDir = VitModel::load(dir_.path());  // model.json + weights.safetensors
  ASSERT_TRUE(fromDir.ok()) << fromDir.error().describe();
  auto fromFile = VitModel::load(weights_, smallConfig(), WeightLayout::Auto);
  ASSERT_TRUE(fromFile.ok()) << fromFile.error().describe();
  for (const VitModel* loaded : {fromDir.value().get(), fromFile.value().get()}) {
    EXPECT_EQ(loaded->config().registerTokens, 2);
    EXPECT_EQ(loaded->config().layerScaleInit, 0.5);
    auto after = loaded->predict(x);
    auto afterMaps = loaded->clsAttention(x);
    ASSERT_TRUE(after.ok() && afterMaps.ok());
    for (int i = 0; i < 2; ++i) {
      EXPECT_EQ(after.value()[i].logits, before.value()[i].logits);
      EXPECT_EQ(after.value()[i].embedding, before.value()[i].embedding);
      EXPECT_EQ(afterMaps.value()[i].perHead, beforeMaps.value()[i].perHead);
    }
  }
}

TEST_F(WeightImport, DinoV2RegisterNameAndMaskTokenAreAccepted) {
  Tensors t = readAll(weights_);
  t.entries[indexOf(t, "reg_token")].name = "register_tokens";
  TensorEntry mask = t.entries[indexOf(t, "cls_token")];
  mask.name = "mask_token";
  t.entries.push_back(mask);
  t.bytes.push_back(t.bytes[indexOf(t, "cls_token")]);
  writeAll(dir_ / "dinov2.safetensors", t);
  auto loaded = VitModel::load(dir_ / "dinov2.safetensors", smallConfig(), WeightLayout::Timm);
  ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
  const InputBatch x = randomInput(1, 32, 2);
  EXPECT_EQ(loaded.value()->predict(x).value()[0].logits, model_->predict(x).value()[0].logits);
}

TEST_F(WeightImport, PositionEmbeddingWithoutClsEntryIsAccepted) {
  // timm's no_embed_class models: pos_embed covers the patches only. With the CLS row
  // equal to zero in our model the outputs must not change.
  Tensors t = readAll(weights_);
  const std::size_t i = indexOf(t, "pos_embed");
  const std::size_t rowBytes = 32 * sizeof(float);
  std::fill(t.bytes[i].begin(), t.bytes[i].begin() + rowBytes, 0);
  writeAll(dir_ / "zero_cls_pos.safetensors", t);
  Tensors noCls = t;
  noCls.entries[i].shape = {1, 16, 32};
  noCls.bytes[i].erase(noCls.bytes[i].begin(), noCls.bytes[i].begin() + rowBytes);
  writeAll(dir_ / "no_cls_pos.safetensors", noCls);
  auto a = VitModel::load(dir_ / "zero_cls_pos.safetensors", smallConfig(), WeightLayout::Timm);
  auto b = VitModel::load(dir_ / "no_cls_pos.safetensors", smallConfig(), WeightLayout::Timm);
  ASSERT_TRUE(a.ok() && b.ok());
  const InputBatch x = randomInput(1, 32, 3);
  EXPECT_EQ(a.value()->predict(x).value()[0].logits, b.value()->predict(x).value()[0].logits);
}

TEST_F(WeightImport, MissingKeyIsNamed) {
  Tensors t = readAll(weights_);
  const std::size_t i = indexOf(t, "blocks.1.mlp.fc2.bias");
  t.entries.erase(t.entries.begin() + static_cast<long>(i));
  t.bytes.erase(t.bytes.begin() + static_cast<long>(i));
  writeAll(dir_ / "missing.safetensors", t);
  expectError(dir_ / "missing.safetensors", "no tensor for 'blocks.1.mlp.fc2.bias'");
}

TEST_F(WeightImport, UnknownKeyIsNamed) {
  Tensors t = readAll(weights_);
  t.entries[indexOf(t, "norm.weight")].name = "fc_norm.weight";
  t.entries[indexOf(t, "norm.bias")].name = "fc_norm.bias";
  writeAll(dir_ / "unknown.safetensors", t);
  expectError(dir_ / "unknown.safetensors", "'fc_norm.bias' does not fit");
  Tensors extra = readAll(weights_);
  TensorEntry e = extra.entries[indexOf(extra, "norm.bias")];
  e.name = "blocks.7.norm1.bias";
  extra.entries.push_back(e);
  extra.bytes.push_back(extra.bytes[indexOf(extra, "norm.bias")]);
  writeAll(dir_ / "extra.safetensors", extra);
  expectError(dir_ / "extra.safetensors", "'blocks.7.norm1.bias' does not fit");
}

TEST_F(WeightImport, ShapeMismatchIsNamed) {
  // The same file for a model with 8 classes instead of 5.
  VitConfig other = smallConfig();
  other.numClasses = 8;
  auto loaded = VitModel::load(weights_, other, WeightLayout::Timm);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message.find("'head.weight' has shape [5, 32], the model needs [8, 32]"), std::string::npos)
      << loaded.error().describe();
}

TEST_F(WeightImport, IntegerTensorIsRefused) {
  Tensors t = readAll(weights_);
  const std::size_t i = indexOf(t, "norm.bias");
  t.entries[i].dtype = TensorDType::I32;  // same byte count, wrong kind of number
  writeAll(dir_ / "int.safetensors", t);
  expectError(dir_ / "int.safetensors", "'norm.bias' is not a floating-point tensor");
}

TEST_F(WeightImport, HalfPrecisionWeightsAreConverted) {
  // BF16 copies of every tensor load and give nearly the same outputs.
  Tensors t = readAll(weights_);
  for (std::size_t i = 0; i < t.entries.size(); ++i) {
    std::vector<std::uint8_t> half(t.bytes[i].size() / 2);
    for (std::size_t k = 0; k < half.size() / 2; ++k) {  // bf16 = the high 16 bits of the float (truncation)
      half[2 * k] = t.bytes[i][4 * k + 2];
      half[2 * k + 1] = t.bytes[i][4 * k + 3];
    }
    t.entries[i].dtype = TensorDType::BF16;
    t.bytes[i] = std::move(half);
  }
  writeAll(dir_ / "bf16.safetensors", t);
  auto loaded = VitModel::load(dir_ / "bf16.safetensors", smallConfig(), WeightLayout::Timm);
  ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
  const InputBatch x = randomInput(1, 32, 4);
  const auto a = loaded.value()->predict(x).value()[0].logits;
  const auto b = model_->predict(x).value()[0].logits;
  EXPECT_LT(maxRelativeError(a, b), 0.1);
  EXPECT_NE(a, b);  // truncation to bf16 must change something: the file really was BF16
}

TEST(WeightImportTorchvision, UnknownTorchvisionKeyIsNamed) {
  TempDir dir;
  auto golden = SafeTensorsFile::open(goldenDir() / "vit_b_16_torchvision.safetensors");
  ASSERT_TRUE(golden.ok()) << golden.error().describe();
  // A torchvision file with a pre_logits layer (representation_size) has no counterpart.
  const float w[4] = {1, 2, 3, 4};
  ASSERT_TRUE(writeSafeTensors(dir / "tv.safetensors", {{"conv_proj.bias", TensorDType::F32, {4}, w},
                                                        {"heads.pre_logits.weight", TensorDType::F32, {2, 2}, w}})
                  .ok());
  auto loaded = VitModel::load(dir / "tv.safetensors", VitConfig::preset("vit_b_16").value());
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message.find("'heads.pre_logits.weight' does not fit this ViT configuration"), std::string::npos)
      << loaded.error().describe();
}

TEST(WeightImportTorchvision, ImportedModelSavesAndReloadsInTimmLayout) {
  TempDir dir;
  auto config = VitConfig::preset("vit_b_16").value();
  auto tv = VitModel::load(goldenDir() / "vit_b_16_torchvision.safetensors", config, WeightLayout::Torchvision);
  ASSERT_TRUE(tv.ok()) << tv.error().describe();
  ASSERT_TRUE(tv.value()->save(dir.path()).ok());
  auto reloaded = VitModel::load(dir.path());
  ASSERT_TRUE(reloaded.ok()) << reloaded.error().describe();
  const InputBatch x = randomInput(1, 224, 5);
  EXPECT_EQ(reloaded.value()->predict(x).value()[0].logits, tv.value()->predict(x).value()[0].logits);
}

}  // namespace
