#include "meridian/model/metrics/ClassificationMetrics.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace meridian::model::metrics {

namespace {

core::Error invalid(const std::string& message) {
  return core::makeError(core::ErrorCode::InvalidArgument, message);
}

core::Status checkRows(const ScoreRows& scores, const std::vector<int>& labels, int classes) {
  if (scores.size() != labels.size())
    return invalid(std::to_string(scores.size()) + " score rows for " + std::to_string(labels.size()) + " labels");
  if (scores.empty()) return invalid("no samples to evaluate");
  for (const auto& row : scores)
    if (row.empty() || (classes > 0 && static_cast<int>(row.size()) != classes))
      return invalid("score rows do not all have one column per class");
  const int columns = static_cast<int>(scores.front().size());
  for (int label : labels)
    if (label < 0 || label >= columns)
      return invalid("label " + std::to_string(label) + " outside 0.." + std::to_string(columns - 1));
  return core::Ok{};
}

}  // namespace

std::vector<int> argmaxRows(const ScoreRows& scores) {
  std::vector<int> out;
  out.reserve(scores.size());
  for (const auto& row : scores)
    out.push_back(static_cast<int>(std::max_element(row.begin(), row.end()) - row.begin()));
  return out;
}

core::Result<double> accuracy(const ScoreRows& scores, const std::vector<int>& labels) {
  auto status = checkRows(scores, labels, 0);
  if (!status) return status.error();
  const auto predicted = argmaxRows(scores);
  std::size_t correct = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) correct += predicted[i] == labels[i] ? 1 : 0;
  return static_cast<double>(correct) / static_cast<double>(labels.size());
}

core::Result<ConfusionMatrix> confusionMatrix(const ScoreRows& scores, const std::vector<int>& labels, int classes) {
  if (classes < 2) return invalid("a confusion matrix needs at least two classes");
  auto status = checkRows(scores, labels, classes);
  if (!status) return status.error();
  ConfusionMatrix counts(static_cast<std::size_t>(classes), std::vector<long long>(static_cast<std::size_t>(classes)));
  const auto predicted = argmaxRows(scores);
  for (std::size_t i = 0; i < labels.size(); ++i)
    ++counts[static_cast<std::size_t>(labels[i])][static_cast<std::size_t>(predicted[i])];
  return counts;
}

core::Result<OperatingPoint> operatingPoint(const std::vector<double>& positiveScores, const std::vector<int>& labels,
                                            double threshold, int positive) {
  if (positiveScores.size() != labels.size() || labels.empty())
    return invalid("operating point: " + std::to_string(positiveScores.size()) + " scores for " +
                   std::to_string(labels.size()) + " labels");
  std::size_t tp = 0, fn = 0, tn = 0, fp = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const bool called = positiveScores[i] >= threshold;
    if (labels[i] == positive)
      (called ? tp : fn)++;
    else
      (called ? fp : tn)++;
  }
  if (tp + fn == 0 || tn + fp == 0) return invalid("sensitivity and specificity need both classes among the labels");
  OperatingPoint point;
  point.threshold = threshold;
  point.sensitivity = static_cast<double>(tp) / static_cast<double>(tp + fn);
  point.specificity = static_cast<double>(tn) / static_cast<double>(tn + fp);
  return point;
}

core::Result<std::vector<CalibrationBin>> calibrationBins(const ScoreRows& probabilities, const std::vector<int>& labels,
                                                          int bins) {
  if (bins < 1) return invalid("calibration needs at least one bin");
  auto status = checkRows(probabilities, labels, 0);
  if (!status) return status.error();
  std::vector<CalibrationBin> out(static_cast<std::size_t>(bins));
  for (int b = 0; b < bins; ++b) {
    out[static_cast<std::size_t>(b)].low = static_cast<double>(b) / bins;
    out[static_cast<std::size_t>(b)].high = static_cast<double>(b + 1) / bins;
  }
  const auto predicted = argmaxRows(probabilities);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const double confidence = probabilities[i][static_cast<std::size_t>(predicted[i])];
    if (!(confidence >= 0.0 && confidence <= 1.0))
      return invalid("calibration needs probabilities in [0, 1], row " + std::to_string(i) + " has " +
                     std::to_string(confidence));
    // Bins (lo, hi]: ceil(c * bins) - 1, with 0 going to the first bin.
    auto& bin = out[static_cast<std::size_t>(std::clamp(static_cast<int>(std::ceil(confidence * bins)) - 1, 0, bins - 1))];
    bin.meanConfidence += confidence;  // sums until the division below
    bin.accuracy += predicted[i] == labels[i] ? 1.0 : 0.0;
    ++bin.count;
  }
  for (auto& bin : out)
    if (bin.count > 0) {
      bin.meanConfidence /= static_cast<double>(bin.count);
      bin.accuracy /= static_cast<double>(bin.count);
    }
  return out;
}

core::Result<double> expectedCalibrationError(const ScoreRows& probabilities, const std::vector<int>& labels,
                                              int bins) {
  auto binned = calibrationBins(probabilities, labels, bins);
  if (!binned) return binned.error();
  double ece = 0.0;
  for (const auto& bin : binned.value())
    ece += static_cast<double>(bin.count) * std::abs(bin.accuracy - bin.meanConfidence);
  return ece / static_cast<double>(labels.size());
}

}  // namespace meridian::model::metrics
