// The ROC curve (scikit-learn's roc_curve with drop_intermediate=False, by hand), its
// bootstrap band, and the reliability bins behind the calibration error.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "meridian/model/metrics/ClassificationMetrics.hpp"
#include "meridian/model/metrics/Curves.hpp"

namespace meridian::model::metrics {
namespace {

TEST(MetricsCurves, RocCurveByHandWithTies) {
  // Sorted: .9 (pos), .8 (neg), .8 (pos) tie, .3 (neg), .1 (neg); 2 positives, 3 negatives.
  // roc_curve(y, s, drop_intermediate=False): fpr [0, 0, 1/3, 2/3, 1], tpr [0, .5, 1, 1, 1].
  const auto curve = rocCurve({0.9, 0.8, 0.8, 0.3, 0.1}, {1, 0, 1, 0, 0}).value();
  ASSERT_EQ(curve.size(), 5u);
  const double fpr[] = {0, 0, 1.0 / 3, 2.0 / 3, 1}, tpr[] = {0, 0.5, 1, 1, 1}, threshold[] = {0.9, 0.8, 0.3, 0.1};
  for (std::size_t i = 0; i < curve.size(); ++i) {
    EXPECT_NEAR(curve[i].falsePositiveRate, fpr[i], 1e-12) << i;
    EXPECT_NEAR(curve[i].truePositiveRate, tpr[i], 1e-12) << i;
    if (i > 0) {
      EXPECT_DOUBLE_EQ(curve[i].threshold, threshold[i - 1]) << i;
    }
  }
  EXPECT_TRUE(std::isinf(curve[0].threshold));
  EXPECT_DOUBLE_EQ(truePositiveRateAt(curve, 0.2), 0.5);
  EXPECT_DOUBLE_EQ(truePositiveRateAt(curve, 1.0 / 3), 1.0);
  // Another positive class index: class 0 against the rest mirrors the scores' meaning.
  const auto other = rocCurve({0.9, 0.8, 0.8, 0.3, 0.1}, {1, 0, 1, 0, 0}, 0).value();
  EXPECT_NEAR(other[1].falsePositiveRate, 0.5, 1e-12);  // .9 is a "1", a false positive for class 0
}

TEST(MetricsCurves, RocCurveRefusesOneSidedLabels) {
  const auto curve = rocCurve({0.2, 0.4}, {1, 1});
  ASSERT_FALSE(curve);
  EXPECT_NE(curve.error().message.find("both positive and negative"), std::string::npos);
  EXPECT_FALSE(rocCurve({0.2}, {1, 0}));
}

TEST(MetricsCurves, BootstrapBandBracketsTheCurve) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::vector<double> scores;
  std::vector<int> labels;
  for (int i = 0; i < 300; ++i) {
    const int y = i % 3 == 0 ? 1 : 0;
    labels.push_back(y);
    scores.push_back(noise(rng) + 1.0 * y);
  }
  const auto curve = rocCurve(scores, labels).value();
  BootstrapOptions options;
  options.resamples = 200;
  options.seed = 3;
  const auto band = rocBootstrapBand(scores, labels, 1, 21, options).value();
  ASSERT_EQ(band.falsePositiveRate.size(), 21u);
  ASSERT_EQ(band.low.size(), 21u);
  int inside = 0;
  for (std::size_t g = 0; g < 21; ++g) {
    const double estimate = truePositiveRateAt(curve, band.falsePositiveRate[g]);
    EXPECT_LE(band.low[g], band.high[g]);
    if (g > 0) {
      EXPECT_GE(band.low[g], band.low[g - 1] - 1e-12);  // TPR never falls as FPR grows
    }
    inside += band.low[g] <= estimate && estimate <= band.high[g] ? 1 : 0;
  }
  EXPECT_GE(inside, 19);
  EXPECT_DOUBLE_EQ(band.low.back(), 1.0);
  // A real band: somewhere in the middle it has width (the data overlap).
  EXPECT_GT(band.high[5] - band.low[5], 0.05);
  // Perfectly separated scores: every resample reaches TPR 1 at FPR 0.
  const auto perfect = rocBootstrapBand({0.1, 0.2, 0.8, 0.9}, {0, 0, 1, 1}, 1, 5, options).value();
  for (std::size_t g = 0; g < 5; ++g) EXPECT_DOUBLE_EQ(perfect.low[g], 1.0) << g;
}

TEST(MetricsCurves, CalibrationBinsAreTheOnesTheErrorSums) {
  // Bin (.5, 1]: rows 0 (.9, right), 1 (.8, wrong), 2 (.6, right). Bin [0, .5]: row 3 (.5, right).
  const ScoreRows p{{0.9, 0.1}, {0.2, 0.8}, {0.4, 0.6}, {0.5, 0.5}};
  const std::vector<int> y{0, 0, 1, 0};
  const auto bins = calibrationBins(p, y, 2).value();
  ASSERT_EQ(bins.size(), 2u);
  EXPECT_EQ(bins[0].count, 1u);
  EXPECT_DOUBLE_EQ(bins[0].meanConfidence, 0.5);
  EXPECT_DOUBLE_EQ(bins[0].accuracy, 1.0);
  EXPECT_DOUBLE_EQ(bins[0].high, 0.5);
  EXPECT_EQ(bins[1].count, 3u);
  EXPECT_NEAR(bins[1].meanConfidence, 2.3 / 3.0, 1e-12);
  EXPECT_NEAR(bins[1].accuracy, 2.0 / 3.0, 1e-12);
  double ece = 0.0;
  for (const auto& b : bins) ece += static_cast<double>(b.count) / 4.0 * std::abs(b.accuracy - b.meanConfidence);
  EXPECT_NEAR(expectedCalibrationError(p, y, 2).value(), ece, 1e-12);
  EXPECT_FALSE(calibrationBins(p, y, 0));
}

}  // namespace
}  // namespace meridian::model::metrics
