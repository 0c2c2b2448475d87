// The training panel's chart data (Qt-free): what each chart draws from a training result.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "meridian/ui/TrainingCharts.hpp"

namespace meridian::ui {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

service::TrainingResult binaryResult() {
  service::TrainingResult r;
  r.method = "probe";
  model::metrics::EvaluationReport h;
  h.n = 6;
  h.labels = {"CT", "other"};
  h.auroc = {0.89, 0.5, 1.0};
  h.accuracy = {5.0 / 6.0, 0.5, 1.0};
  h.calibrationError = {0.123, 0.0, 0.3};
  h.confusion = {{2, 1}, {0, 3}};
  r.heldOut = h;
  service::ClassRoc roc;
  roc.label = "other";
  roc.auroc = 0.89;
  roc.curve = {{0, 0, std::numeric_limits<double>::infinity()}, {0, 0.667, 0.9}, {0.333, 1, 0.4}, {1, 1, 0.1}};
  roc.band = {{0.0, 0.5, 1.0}, {0.3, 0.6, 1.0}, {1.0, 1.0, 1.0}};
  r.roc.push_back(roc);
  r.calibration = {{0.0, 0.5, 0, 0.0, 0.0}, {0.5, 0.75, 2, 0.6, 0.5}, {0.75, 1.0, 4, 0.9, 1.0}};
  return r;
}

TEST(TrainingCharts, EpochSeriesSkipWhatIsNotDefined) {
  const auto charts = epochCharts({{1, 10, 0.9, 0.6, 8}, {2, 10, 0.5, kNaN, 8}, {3, 10, kNaN, 0.8, 8}});
  ASSERT_EQ(charts.loss.size(), 2u);
  EXPECT_DOUBLE_EQ(charts.loss[1].x, 2.0);
  EXPECT_DOUBLE_EQ(charts.loss[1].y, 0.5);
  ASSERT_EQ(charts.auroc.size(), 2u);
  EXPECT_DOUBLE_EQ(charts.auroc[1].x, 3.0);
  EXPECT_DOUBLE_EQ(charts.epochMax, 10.0);  // the planned epochs, so the axis does not jump
  EXPECT_NEAR(charts.lossMax, 0.99, 1e-12);
  EXPECT_EQ(charts.caption, "epoch 3 of 10: validation AUROC 0.800");
  // A probe's one record: one point each, the axis still 1 wide.
  const auto probe = epochCharts({{1, 1, 0.25, 0.91, 4}});
  EXPECT_EQ(probe.caption, "epoch 1 of 1: loss 0.250, validation AUROC 0.910");
  EXPECT_DOUBLE_EQ(probe.epochMax, 1.0);
}

TEST(TrainingCharts, RocCurveBandAndTitle) {
  const auto chart = rocChart(binaryResult());
  ASSERT_EQ(chart.curve.size(), 4u);
  EXPECT_DOUBLE_EQ(chart.curve[2].x, 0.333);
  EXPECT_DOUBLE_EQ(chart.curve[2].y, 1.0);
  ASSERT_EQ(chart.bandLow.size(), 3u);
  EXPECT_DOUBLE_EQ(chart.bandLow[1].x, 0.5);
  EXPECT_DOUBLE_EQ(chart.bandLow[1].y, 0.6);
  EXPECT_DOUBLE_EQ(chart.bandHigh[0].y, 1.0);
  EXPECT_EQ(chart.title, "ROC: other vs rest · AUROC 0.89 (95% CI 0.50–1.00), 6 held out");
  EXPECT_TRUE(rocChart(binaryResult(), 1).curve.empty());
  service::TrainingResult dino;
  dino.method = "dino";
  EXPECT_TRUE(rocChart(dino).title.empty());
}

TEST(TrainingCharts, ConfusionCellsCarryRowShares) {
  const auto chart = confusionChart(binaryResult());
  ASSERT_EQ(chart.cells.size(), 4u);
  EXPECT_EQ(chart.cells[1].row, 0u);
  EXPECT_EQ(chart.cells[1].column, 1u);
  EXPECT_EQ(chart.cells[1].count, 1);
  EXPECT_NEAR(chart.cells[1].rowShare, 1.0 / 3.0, 1e-12);
  EXPECT_EQ(chart.cells[1].text, "1 (33%)");
  EXPECT_EQ(chart.cells[3].text, "3 (100%)");
  EXPECT_EQ(chart.title, "Confusion (held out, rows = true class): accuracy 0.83");
}

TEST(TrainingCharts, CalibrationDrawsNonEmptyBins) {
  const auto chart = calibrationChart(binaryResult());
  ASSERT_EQ(chart.points.size(), 2u);
  EXPECT_DOUBLE_EQ(chart.points[0].x, 0.6);
  EXPECT_DOUBLE_EQ(chart.points[0].y, 0.5);
  EXPECT_EQ(chart.counts[1], 4u);
  EXPECT_EQ(chart.title, "Calibration (3 bins): ECE 0.123");
}

TEST(TrainingCharts, SplitTableRows) {
  service::SplitPreview split;
  split.classes = {"CT", "other"};
  split.train = {{4, 5}, 9, 8};
  split.heldOut = {{2, 3}, 5, 5};
  const auto rows = splitTable(split);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"CT", "4", "2"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"cases", "9", "5"}));
  EXPECT_EQ(rows[3], (std::vector<std::string>{"patients", "8", "5"}));
}

}  // namespace
}  // namespace meridian::ui
