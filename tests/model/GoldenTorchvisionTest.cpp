// Meridian's ViT against the peer: torchvision's vit_b_16 in PyTorch eager with the same
// (random, seeded) weights, imported from torchvision's key layout. Once per CPU inference
// backend built in (InferenceLinear.hpp: OneDnn where oneDNN's headers were found, Blas
// always), so the one that is not the default cannot rot unnoticed.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <ostream>
#include <cmath>

#include "BuiltBackends.hpp"
#include "GoldenData.hpp"
#include "InferenceLinear.hpp"
#include "meridian/model/VitModel.hpp"

using namespace meridian::model;
using namespace meridian::model::test;

namespace meridian::model {
// The backend by name in gtest's and CTest's test listings (found by argument lookup).
void PrintTo(InferenceBackend backend, std::ostream* os) { *os << inferenceBackendName(backend); }
}  // namespace meridian::model

namespace {

class GoldenTorchvision : public ::testing::TestWithParam<InferenceBackend> {
 protected:
  static void SetUpTestSuite() {
    auto golden = SafeTensorsFile::open(goldenDir() / "golden.safetensors");
    ASSERT_TRUE(golden.ok()) << golden.error().describe();
    golden_ = new SafeTensorsFile(std::move(golden).value());
  }
  static void TearDownTestSuite() {
    for (auto* model : models_) delete model;
    models_ = {};
    delete golden_;
    golden_ = nullptr;
  }
  // One model per backend, loaded on its first test: a model takes the backend that is the
  // default when it is made.
  void SetUp() override {
    ASSERT_NE(golden_, nullptr);
    auto*& model = models_[static_cast<int>(GetParam())];
    if (model == nullptr) {
      auto config = VitConfig::preset("vit_b_16");
      ASSERT_TRUE(config.ok());
      const auto previous = defaultInferenceBackend();
      setDefaultInferenceBackend(GetParam());
      auto loaded =
          VitModel::load(goldenDir() / "vit_b_16_torchvision.safetensors", config.value(), WeightLayout::Torchvision);
      setDefaultInferenceBackend(previous);
      ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
      model = loaded.value().release();
    }
    model_ = model;
  }

  static InputBatch input(const std::string& name) {
    FloatTensor t = readFloatTensor(*golden_, name);
    EXPECT_EQ(t.shape.size(), 4u);
    if (t.shape.size() != 4) return {};
    return InputBatch{static_cast<int>(t.shape[0]), static_cast<int>(t.shape[2]), static_cast<int>(t.shape[3]),
                      std::move(t.data)};
  }

  void expectLogitsMatch(int size) const {
    const InputBatch x = input("input_" + std::to_string(size));
    const FloatTensor expected = readFloatTensor(*golden_, "logits_" + std::to_string(size));
    auto predictions = model_->predict(x);
    ASSERT_TRUE(predictions.ok()) << predictions.error().describe();
    std::vector<float> logits;
    for (const auto& p : predictions.value()) logits.insert(logits.end(), p.logits.begin(), p.logits.end());
    const double error = maxRelativeError(logits, expected.data);
    std::cout << "[golden] " << inferenceBackendName(GetParam()) << ": logits at " << size << "x" << size << ": max relative error " << error << "\n";
    EXPECT_LT(error, 1e-4);
  }

  static inline std::array<VitModel*, 2> models_{};  // by InferenceBackend
  static inline VitModel* model_ = nullptr;          // this test's backend's
  static inline SafeTensorsFile* golden_ = nullptr;
};

TEST_P(GoldenTorchvision, LogitsMatchAt224) {
  expectLogitsMatch(224);
}

TEST_P(GoldenTorchvision, LogitsMatchWithPositionEmbeddingResizedTo288) {
  expectLogitsMatch(288);
}

TEST_P(GoldenTorchvision, LogitsMatchWithPositionEmbeddingResizedTo160) {
  expectLogitsMatch(160);
}

TEST_P(GoldenTorchvision, TopClassAndProbabilitiesMatchAt224) {
  // What a user reads (issue 20): the top class and the probabilities, against the softmax
  // of torchvision's logits, in absolute terms.
  const InputBatch x = input("input_224");
  const FloatTensor expected = readFloatTensor(*golden_, "logits_224");
  auto predictions = model_->predict(x);
  ASSERT_TRUE(predictions.ok()) << predictions.error().describe();
  const std::size_t classes = 1000;
  ASSERT_EQ(expected.data.size(), predictions.value().size() * classes);
  double worst = 0.0;
  for (std::size_t row = 0; row < predictions.value().size(); ++row) {
    const auto first = expected.data.begin() + static_cast<std::ptrdiff_t>(row * classes);
    const std::vector<float> logits(first, first + static_cast<std::ptrdiff_t>(classes));
    const double top = *std::max_element(logits.begin(), logits.end());
    double sum = 0.0;
    for (float v : logits) sum += std::exp(v - top);
    const auto& p = predictions.value()[row].probabilities;
    ASSERT_EQ(p.size(), classes);
    EXPECT_EQ(std::max_element(p.begin(), p.end()) - p.begin(), std::max_element(logits.begin(), logits.end()) - logits.begin())
        << "row " << row;
    for (std::size_t c = 0; c < classes; ++c) worst = std::max(worst, std::abs(p[c] - std::exp(logits[c] - top) / sum));
  }
  std::cout << "[golden] " << inferenceBackendName(GetParam()) << ": probabilities at 224x224: max absolute error " << worst << "\n";
  EXPECT_LT(worst, 1e-4);
}

TEST_P(GoldenTorchvision, ClsAttentionMatchesPerHeadAndMean) {
  const InputBatch x = input("input_224");
  const FloatTensor perHead = readFloatTensor(*golden_, "cls_attn_224");
  const FloatTensor mean = readFloatTensor(*golden_, "cls_attn_mean_224");
  auto maps = model_->clsAttention(x);
  ASSERT_TRUE(maps.ok()) << maps.error().describe();
  ASSERT_EQ(maps.value().size(), 2u);
  std::vector<float> allHeads, allMeans;
  for (const auto& m : maps.value()) {
    EXPECT_EQ(m.heads, 12);
    EXPECT_EQ(m.gridHeight, 14);
    EXPECT_EQ(m.gridWidth, 14);
    EXPECT_EQ(m.patchSize, 16);
    allHeads.insert(allHeads.end(), m.perHead.begin(), m.perHead.end());
    allMeans.insert(allMeans.end(), m.mean.begin(), m.mean.end());
  }
  const double headError = maxRelativeError(allHeads, perHead.data);
  const double meanError = maxRelativeError(allMeans, mean.data);
  std::cout << "[golden] " << inferenceBackendName(GetParam()) << ": CLS attention: max relative error per head " << headError << ", mean " << meanError << "\n";
  EXPECT_LT(headError, 1e-4);
  EXPECT_LT(meanError, 1e-4);
}

TEST_P(GoldenTorchvision, BatchRowsAreIndependent) {
  // Each image of a batch must give what it gives alone (no mixing across the batch).
  InputBatch both = input("input_224");
  auto together = model_->predict(both);
  ASSERT_TRUE(together.ok());
  const std::size_t plane = 3u * 224 * 224;
  InputBatch second{1, 224, 224, std::vector<float>(both.data.begin() + plane, both.data.end())};
  auto alone = model_->predict(second);
  ASSERT_TRUE(alone.ok());
  EXPECT_LT(maxRelativeError(together.value()[1].logits, alone.value()[0].logits), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Backend, GoldenTorchvision, ::testing::ValuesIn(builtBackends()),
                         [](const ::testing::TestParamInfo<InferenceBackend>& info) {
                           return std::string(inferenceBackendName(info.param));
                         });

}  // namespace
