// Metrics against hand-computed values: AUROC as the Mann-Whitney statistic (ties count
// one half), average precision as scikit-learn defines it, decisions, calibration, and the
// bootstrap intervals.
#include <gtest/gtest.h>

#include <cmath>

#include "meridian/model/metrics/Bootstrap.hpp"
#include "meridian/model/metrics/ClassificationMetrics.hpp"
#include "meridian/model/metrics/Evaluation.hpp"
#include "meridian/model/metrics/RankMetrics.hpp"

namespace meridian::model::metrics {
namespace {

TEST(MetricsAuroc, PerfectInvertedAndChance) {
  EXPECT_DOUBLE_EQ(binaryAuroc({0.1, 0.2, 0.8, 0.9}, {0, 0, 1, 1}).value(), 1.0);
  EXPECT_DOUBLE_EQ(binaryAuroc({0.9, 0.8, 0.2, 0.1}, {0, 0, 1, 1}).value(), 0.0);
  EXPECT_DOUBLE_EQ(binaryAuroc({0.5, 0.5, 0.5, 0.5}, {0, 1, 0, 1}).value(), 0.5);
}

TEST(MetricsAuroc, TiesCountOneHalf) {
  // Pairs (pos, neg): positives {0.4, 0.8}, negatives {0.1, 0.4, 0.35}.
  // 0.4 vs 0.1: 1, vs 0.4: 0.5, vs 0.35: 1; 0.8 beats all three: 3. (1 + 0.5 + 1 + 3) / 6.
  EXPECT_DOUBLE_EQ(binaryAuroc({0.1, 0.4, 0.35, 0.4, 0.8}, {0, 0, 0, 1, 1}).value(), 5.5 / 6.0);
  // One positive tied with one of two negatives, above the other: (0.5 + 1) / 2.
  EXPECT_DOUBLE_EQ(binaryAuroc({0.3, 0.3, 0.1}, {1, 0, 0}).value(), 0.75);
}

TEST(MetricsAuroc, PositiveClassIsChosen) {
  EXPECT_DOUBLE_EQ(binaryAuroc({0.1, 0.2, 0.8, 0.9}, {0, 0, 1, 1}, 0).value(), 0.0);
}

TEST(MetricsAuroc, OneClassOrMismatchedSizesIsAnError) {
  const auto one = binaryAuroc({0.1, 0.2, 0.3}, {1, 1, 1});
  ASSERT_FALSE(one.ok());
  EXPECT_NE(one.error().message.find("both classes"), std::string::npos) << one.error().message;
  EXPECT_FALSE(binaryAuroc({0.1, 0.2}, {0, 1, 1}).ok());
  EXPECT_FALSE(binaryAuroc({}, {}).ok());
  EXPECT_FALSE(macroAuroc({{0.2, 0.8}, {0.6, 0.4}}, {1, 1}).ok());
}

TEST(MetricsAuroc, MacroOneVsRestAveragesTheClasses) {
  // Three classes, each perfectly ranked by its own column except class 2, which is inverted.
  const ScoreRows p{{0.8, 0.1, 0.1}, {0.7, 0.2, 0.1}, {0.1, 0.8, 0.1},
                    {0.2, 0.7, 0.1}, {0.3, 0.3, 0.0}, {0.4, 0.3, 0.0}};
  const std::vector<int> y{0, 0, 1, 1, 2, 2};
  const double class2 = binaryAuroc(column(p, 2), y, 2).value();
  EXPECT_DOUBLE_EQ(class2, 0.0);
  EXPECT_DOUBLE_EQ(macroAuroc(p, y).value(), (1.0 + 1.0 + class2) / 3.0);
  // Two columns: the binary AUROC of column 1.
  EXPECT_DOUBLE_EQ(macroAuroc({{0.9, 0.1}, {0.2, 0.8}}, {0, 1}).value(), 1.0);
}

TEST(MetricsAveragePrecision, HandComputed) {
  // Descending: 0.9 (pos) P=1 R=.5; 0.8 (neg); 0.7 (pos) P=2/3 R=1. AP = .5*1 + .5*2/3.
  EXPECT_DOUBLE_EQ(averagePrecision({0.9, 0.8, 0.7, 0.1}, {1, 0, 1, 0}).value(), 0.5 + 0.5 * 2.0 / 3.0);
  // A tie between a positive and a negative is one threshold: P = 1/2 at R = 1.
  EXPECT_DOUBLE_EQ(averagePrecision({0.5, 0.5}, {1, 0}).value(), 0.5);
  EXPECT_FALSE(averagePrecision({0.5, 0.4}, {0, 0}).ok());
}

TEST(MetricsDecisions, AccuracyConfusionOperatingPoint) {
  const ScoreRows p{{0.9, 0.1}, {0.4, 0.6}, {0.3, 0.7}, {0.6, 0.4}, {0.5, 0.5}};
  const std::vector<int> y{0, 0, 1, 1, 1};
  EXPECT_DOUBLE_EQ(accuracy(p, y).value(), 2.0 / 5.0);  // row 4 ties -> class 0 (first maximum)
  const auto confusion = confusionMatrix(p, y, 2).value();
  EXPECT_EQ(confusion[0][0], 1);
  EXPECT_EQ(confusion[0][1], 1);
  EXPECT_EQ(confusion[1][0], 2);
  EXPECT_EQ(confusion[1][1], 1);
  const auto point = operatingPoint(column(p, 1), y, 0.5).value();  // >= 0.5 calls positive
  EXPECT_DOUBLE_EQ(point.sensitivity, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(point.specificity, 0.5);
  EXPECT_FALSE(confusionMatrix(p, {0, 0, 1, 1, 2}, 2).ok());
}

TEST(MetricsCalibration, ExpectedCalibrationErrorByHand) {
  // Two bins. Bin (0.5, 1]: confidences .9 (right), .8 (wrong), .6 (right): |2/3 - 2.3/3|.
  // Bin [0, .5]: confidence .5 (row 4, right): |1 - .5|. Weighted by 3/4 and 1/4.
  const ScoreRows p{{0.9, 0.1}, {0.2, 0.8}, {0.4, 0.6}, {0.5, 0.5}};
  const std::vector<int> y{0, 0, 1, 0};
  const double expected = 0.75 * std::abs(2.0 / 3.0 - 2.3 / 3.0) + 0.25 * 0.5;
  EXPECT_NEAR(expectedCalibrationError(p, y, 2).value(), expected, 1e-12);
  // Perfectly confident and right: no calibration error.
  EXPECT_DOUBLE_EQ(expectedCalibrationError({{1.0, 0.0}, {0.0, 1.0}}, {0, 1}).value(), 0.0);
}

TEST(MetricsBootstrap, QuantileInterpolatesLikeNumpy) {
  EXPECT_DOUBLE_EQ(quantile({1, 2, 3, 4}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(quantile({4, 1, 3, 2}, 0.25), 1.75);  // numpy.quantile([1,2,3,4], .25)
  EXPECT_DOUBLE_EQ(quantile({5}, 0.975), 5.0);
}

TEST(MetricsBootstrap, SeededStratifiedIntervalsBracketTheEstimate) {
  std::vector<double> scores;
  std::vector<int> labels;
  SeededIndexDraw draw(11);
  for (int i = 0; i < 200; ++i) {
    const int y = i % 4 == 0 ? 1 : 0;  // 25% positives
    labels.push_back(y);
    scores.push_back(0.01 * static_cast<double>(draw(100)) + 0.4 * y);
  }
  ScoreRows p;
  for (double s : scores) p.push_back({1.0 - s / 1.4, s / 1.4});
  EvaluationOptions options;
  options.bootstrap.seed = 5;
  const auto report = evaluate(p, labels, {"neg", "pos"}, options).value();
  EXPECT_DOUBLE_EQ(report.auroc.value, binaryAuroc(scores, labels).value());
  EXPECT_LT(report.auroc.ciLow, report.auroc.value);
  EXPECT_GT(report.auroc.ciHigh, report.auroc.value);
  EXPECT_GT(report.auroc.ciHigh - report.auroc.ciLow, 0.01);
  EXPECT_LT(report.auroc.ciHigh - report.auroc.ciLow, 0.3);
  // Same seed, same interval; another seed, (almost surely) another one.
  const auto again = evaluate(p, labels, {"neg", "pos"}, options).value();
  EXPECT_EQ(again.auroc.ciLow, report.auroc.ciLow);
  EXPECT_EQ(again.auroc.ciHigh, report.auroc.ciHigh);
  options.bootstrap.seed = 6;
  const auto other = evaluate(p, labels, {"neg", "pos"}, options).value();
  EXPECT_NE(other.auroc.ciLow, report.auroc.ciLow);
  // Stratified: every resample keeps 50 positives, so no resample lacks a class.
  int resamples = 0;
  auto ci = bootstrapIntervals(labels,
                               [&](const std::vector<std::size_t>& rows) {
                                 ++resamples;
                                 int positives = 0;
                                 for (auto r : rows) positives += labels[r];
                                 EXPECT_EQ(positives, 50);
                                 return std::vector<double>{static_cast<double>(positives)};
                               },
                               1, {100, 0.95, 1});
  ASSERT_TRUE(ci.ok());
  EXPECT_EQ(resamples, 100);
  ASSERT_EQ(report.perClass.size(), 2u);
  EXPECT_EQ(report.perClass[1].count, 50u);
  EXPECT_TRUE(report.hasOperatingPoint);
}

TEST(MetricsEvaluation, AClassMissingFromTheDataIsAnError) {
  const auto report = evaluate({{0.9, 0.1, 0.0}, {0.2, 0.8, 0.0}}, {0, 1}, {"a", "b", "c"});
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.error().message.find("'c'"), std::string::npos) << report.error().message;
}

}  // namespace
}  // namespace meridian::model::metrics
