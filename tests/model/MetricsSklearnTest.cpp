// AUROC and average precision against scikit-learn (Debian's python3-sklearn) on random
// data generated here: binary cases with many ties and imbalance, and multi-class
// one-vs-rest macro AUROC. Agreement to 1e-9.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "PeerPython.hpp"
#include "TempDir.hpp"
#include "meridian/model/metrics/RankMetrics.hpp"

namespace meridian::model::metrics {
namespace {

TEST(MetricsSklearn, AurocAndAveragePrecisionAgreeWithScikitLearn) {
  std::mt19937_64 rng(20261123);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  nlohmann::json input{{"binary", nlohmann::json::array()}, {"multiclass", nlohmann::json::array()}};
  std::vector<std::pair<std::vector<double>, std::vector<int>>> binary;
  for (int c = 0; c < 24; ++c) {
    const int n = 5 + static_cast<int>(rng() % 300);
    const double prevalence = 0.05 + 0.9 * uniform(rng);
    const double rounding = c % 3 == 0 ? 10.0 : (c % 3 == 1 ? 100.0 : 0.0);  // ties in two of three cases
    std::vector<double> scores;
    std::vector<int> labels;
    for (int i = 0; i < n; ++i) {
      const int y = uniform(rng) < prevalence ? 1 : 0;
      double s = uniform(rng) + 0.3 * y;
      if (rounding > 0) s = std::round(s * rounding) / rounding;
      scores.push_back(s);
      labels.push_back(y);
    }
    labels[0] = 0;  // both classes present
    labels[1] = 1;
    binary.emplace_back(scores, labels);
    input["binary"].push_back({{"scores", scores}, {"labels", labels}});
  }
  std::vector<std::pair<ScoreRows, std::vector<int>>> multiclass;
  for (int c = 0; c < 6; ++c) {
    const int classes = 3 + c % 3, n = 30 + static_cast<int>(rng() % 200);
    ScoreRows rows;
    std::vector<int> labels;
    for (int i = 0; i < n; ++i) {
      const int y = i < classes ? i : static_cast<int>(rng() % static_cast<unsigned>(classes));
      std::vector<double> logits(static_cast<std::size_t>(classes));
      double sum = 0.0;
      for (int k = 0; k < classes; ++k) {
        logits[static_cast<std::size_t>(k)] = std::exp(std::round((uniform(rng) + (k == y ? 0.5 : 0.0)) * 20) / 20);
        sum += logits[static_cast<std::size_t>(k)];
      }
      for (auto& v : logits) v /= sum;
      rows.push_back(logits);
      labels.push_back(y);
    }
    multiclass.emplace_back(rows, labels);
    input["multiclass"].push_back({{"probabilities", rows}, {"labels", labels}});
  }

  test::TempDir dir;
  std::ofstream(dir / "in.json") << input.dump();
  ASSERT_EQ(
      test::runPeerScript("sklearn_metrics.py", test::quoted(dir / "in.json") + " " + test::quoted(dir / "out.json")),
      0);
  const auto peer = nlohmann::json::parse(std::ifstream(dir / "out.json"));
  for (std::size_t c = 0; c < binary.size(); ++c) {
    const auto& [scores, labels] = binary[c];
    EXPECT_NEAR(binaryAuroc(scores, labels).value(), peer["binary"][c]["auroc"].get<double>(), 1e-9) << "case " << c;
    EXPECT_NEAR(averagePrecision(scores, labels).value(), peer["binary"][c]["ap"].get<double>(), 1e-9) << "case " << c;
  }
  for (std::size_t c = 0; c < multiclass.size(); ++c) {
    const auto& [rows, labels] = multiclass[c];
    EXPECT_NEAR(macroAuroc(rows, labels).value(), peer["multiclass"][c]["auroc_ovr_macro"].get<double>(), 1e-9)
        << "multi-class case " << c;
  }
}

}  // namespace
}  // namespace meridian::model::metrics
