#pragma once
// Metrics of hard decisions and of calibration (torch-free). Predictions are the argmax of
// each row (the first maximum on ties, like numpy); the operating-point metrics threshold
// one class's score instead.

#include <cstddef>
#include <vector>

#include "meridian/core/Result.hpp"
#include "meridian/model/metrics/RankMetrics.hpp"

namespace meridian::model::metrics {

/// Index of each row's largest score.
std::vector<int> argmaxRows(const ScoreRows& scores);

/// Fraction of rows whose argmax equals the label.
core::Result<double> accuracy(const ScoreRows& scores, const std::vector<int>& labels);

/// counts[true][predicted] for `classes` classes (argmax decisions).
using ConfusionMatrix = std::vector<std::vector<long long>>;
core::Result<ConfusionMatrix> confusionMatrix(const ScoreRows& scores, const std::vector<int>& labels, int classes);

/// Sensitivity and specificity when "positive" means score[positive] >= threshold.
struct OperatingPoint {
  double threshold = 0.5;
  double sensitivity = 0.0;  // TP / (TP + FN)
  double specificity = 0.0;  // TN / (TN + FP)
};
core::Result<OperatingPoint> operatingPoint(const std::vector<double>& positiveScores, const std::vector<int>& labels,
                                            double threshold, int positive = 1);

/// Expected calibration error (Guo et al. 2017): rows binned by confidence (the largest
/// probability) into `bins` equal-width bins (lo, hi], the first one including 0; the mean
/// over bins of |accuracy - mean confidence| weighted by the bin's share of rows. Rows must
/// be probabilities (in [0, 1]).
core::Result<double> expectedCalibrationError(const ScoreRows& probabilities, const std::vector<int>& labels,
                                              int bins = 15);

/// One reliability bin (lo, hi] of the confidence, as expectedCalibrationError bins it (so
/// a reliability plot and the number agree).
struct CalibrationBin {
  double low = 0.0;
  double high = 0.0;
  std::size_t count = 0;
  double meanConfidence = 0.0;  // 0 when empty
  double accuracy = 0.0;        // share of the bin's rows whose argmax is the label; 0 when empty
};
core::Result<std::vector<CalibrationBin>> calibrationBins(const ScoreRows& probabilities, const std::vector<int>& labels,
                                                          int bins = 15);

}  // namespace meridian::model::metrics
