// Study/slide-level pooling: plain statistics against hand-computed values, and gated
// attention MIL (Ilse et al. 2018) loaded from aggregator.* tensors against the formula
// evaluated here in plain C++; incomplete or misshapen aggregators are refused by name.

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>

#include "TempDir.hpp"
#include "meridian/model/Aggregation.hpp"
#include "meridian/model/SafeTensorsWriter.hpp"

namespace meridian::model {
namespace {

TEST(Aggregation, MeanMaxTopK) {
  const std::vector<std::vector<float>> scores = {{0.9f, 0.1f}, {0.2f, 0.8f}, {0.6f, 0.4f}, {0.3f, 0.7f}};
  const auto a = aggregateScores(scores, 2);
  ASSERT_EQ(a.mean.size(), 2u);
  EXPECT_FLOAT_EQ(a.mean[0], 0.5f);
  EXPECT_FLOAT_EQ(a.mean[1], 0.5f);
  EXPECT_FLOAT_EQ(a.max[0], 0.9f);
  EXPECT_FLOAT_EQ(a.max[1], 0.8f);
  EXPECT_FLOAT_EQ(a.topKMean[0], 0.75f);  // 0.9 and 0.6
  EXPECT_FLOAT_EQ(a.topKMean[1], 0.75f);  // 0.8 and 0.7
  EXPECT_EQ(a.topK, 2);
  EXPECT_EQ(aggregateScores(scores, 50).topK, 4);  // k is capped by the instances
  EXPECT_TRUE(aggregateScores({}, 3).mean.empty());
}

struct AggregatorWeights {
  int dim = 6, hidden = 4, classes = 3;
  std::vector<float> v, vb, u, ub, w, wb, c, cb;
  explicit AggregatorWeights(std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> n(0.0f, 0.5f);
    const auto fill = [&](std::vector<float>& x, std::size_t count) {
      x.resize(count);
      for (auto& e : x) e = n(rng);
    };
    fill(v, hidden * dim), fill(vb, hidden), fill(u, hidden * dim), fill(ub, hidden);
    fill(w, hidden), fill(wb, 1), fill(c, classes * dim), fill(cb, classes);
  }
  std::vector<TensorToWrite> tensors(bool complete = true) const {
    std::vector<TensorToWrite> t = {{"aggregator.attention_V.weight", TensorDType::F32, {hidden, dim}, v.data()},
                                    {"aggregator.attention_V.bias", TensorDType::F32, {hidden}, vb.data()},
                                    {"aggregator.attention_U.weight", TensorDType::F32, {hidden, dim}, u.data()},
                                    {"aggregator.attention_U.bias", TensorDType::F32, {hidden}, ub.data()},
                                    {"aggregator.attention_w.weight", TensorDType::F32, {1, hidden}, w.data()},
                                    {"aggregator.attention_w.bias", TensorDType::F32, {1}, wb.data()},
                                    {"aggregator.classifier.weight", TensorDType::F32, {classes, dim}, c.data()}};
    if (complete) t.push_back({"aggregator.classifier.bias", TensorDType::F32, {classes}, cb.data()});
    return t;
  }
  // The paper's formula, in double precision.
  void reference(const std::vector<float>& h, int n, std::vector<double>& attention, std::vector<double>& probs) const {
    std::vector<double> score(n);
    for (int k = 0; k < n; ++k) {
      double s = wb[0];
      for (int l = 0; l < hidden; ++l) {
        double a = vb[l], b = ub[l];
        for (int d = 0; d < dim; ++d) a += v[l * dim + d] * h[k * dim + d], b += u[l * dim + d] * h[k * dim + d];
        s += w[l] * std::tanh(a) / (1.0 + std::exp(-b));
      }
      score[k] = s;
    }
    const double top = *std::max_element(score.begin(), score.end());
    double sum = 0.0;
    attention.resize(n);
    for (int k = 0; k < n; ++k) sum += attention[k] = std::exp(score[k] - top);
    for (auto& a : attention) a /= sum;
    std::vector<double> logits(classes);
    for (int c0 = 0; c0 < classes; ++c0) {
      double z = cb[c0];
      for (int d = 0; d < dim; ++d) {
        double bag = 0.0;
        for (int k = 0; k < n; ++k) bag += attention[k] * h[k * dim + d];
        z += c[c0 * dim + d] * bag;
      }
      logits[c0] = z;
    }
    const double m = *std::max_element(logits.begin(), logits.end());
    double zsum = 0.0;
    probs.resize(classes);
    for (int c0 = 0; c0 < classes; ++c0) zsum += probs[c0] = std::exp(logits[c0] - m);
    for (auto& p : probs) p /= zsum;
  }
};

TEST(Aggregation, GatedAttentionMatchesTheFormula) {
  test::TempDir dir;
  const AggregatorWeights weights(7);
  std::vector<TensorToWrite> tensors = weights.tensors();
  std::vector<float> other(12, 0.25f);  // a backbone tensor beside the aggregator is ignored
  tensors.push_back({"head.weight", TensorDType::F32, {2, 6}, other.data()});
  ASSERT_TRUE(writeSafeTensors(modelAggregatorFile(dir.path()), tensors).ok());
  auto pool = AttentionPool::load(modelAggregatorFile(dir.path()));
  ASSERT_TRUE(pool.ok()) << pool.error().describe();
  ASSERT_TRUE(pool.value());
  EXPECT_EQ(pool.value()->embedDim(), 6);
  EXPECT_EQ(pool.value()->classes(), 3);

  const int n = 5;
  std::vector<float> h(n * 6);
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> uni(-1.0f, 1.0f);
  for (auto& x : h) x = uni(rng);
  auto pooled = pool.value()->pool(h, n);
  ASSERT_TRUE(pooled.ok()) << pooled.error().describe();
  std::vector<double> attention, probs;
  weights.reference(h, n, attention, probs);
  ASSERT_EQ(pooled.value().weights.size(), static_cast<std::size_t>(n));
  for (int k = 0; k < n; ++k) EXPECT_NEAR(pooled.value().weights[k], attention[k], 1e-5);
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(pooled.value().probabilities[c], probs[c], 1e-5);
  EXPECT_NEAR(std::accumulate(pooled.value().weights.begin(), pooled.value().weights.end(), 0.0), 1.0, 1e-5);

  // The model folder helper finds the same file; wrong embedding sizes are refused.
  auto folder = loadModelAggregator(dir.path());
  ASSERT_TRUE(folder.ok() && folder.value());
  EXPECT_FALSE(pool.value()->pool(std::vector<float>(10, 0.0f), 2).ok());
}

TEST(Aggregation, NoAggregatorMeansNoAttentionPooling) {
  test::TempDir dir;
  std::vector<float> x(4, 1.0f);
  ASSERT_TRUE(
      writeSafeTensors(dir / "weights.safetensors", {{"head.weight", TensorDType::F32, {2, 2}, x.data()}}).ok());
  auto pool = AttentionPool::load(dir / "weights.safetensors");
  ASSERT_TRUE(pool.ok());
  EXPECT_FALSE(pool.value());
  auto folder = loadModelAggregator(dir.path());  // a folder without aggregator.safetensors
  ASSERT_TRUE(folder.ok()) << folder.error().describe();
  EXPECT_FALSE(folder.value());
  const auto result = poolOrExplain(nullptr, {}, 0);
  EXPECT_FALSE(result.available);
  EXPECT_NE(result.reason.find("no aggregator"), std::string::npos) << result.reason;
  EXPECT_TRUE(result.probabilities.empty());
}

TEST(Aggregation, BrokenAggregatorsAreRefusedByName) {
  test::TempDir dir;
  const AggregatorWeights weights(9);
  ASSERT_TRUE(writeSafeTensors(dir / "a.safetensors", weights.tensors(/*complete=*/false)).ok());
  auto incomplete = AttentionPool::load(dir / "a.safetensors");
  ASSERT_FALSE(incomplete.ok());
  EXPECT_NE(incomplete.error().message.find("aggregator.classifier.bias"), std::string::npos)
      << incomplete.error().message;

  auto tensors = weights.tensors();
  tensors[3].shape = {2};  // attention_U.bias of 2 instead of hidden = 4
  ASSERT_TRUE(writeSafeTensors(dir / "b.safetensors", tensors).ok());
  auto misshapen = AttentionPool::load(dir / "b.safetensors");
  ASSERT_FALSE(misshapen.ok());
  EXPECT_NE(misshapen.error().message.find("aggregator.attention_U.bias"), std::string::npos)
      << misshapen.error().message;
}

}  // namespace
}  // namespace meridian::model
