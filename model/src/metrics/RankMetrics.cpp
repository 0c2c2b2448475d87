#include "meridian/model/metrics/RankMetrics.hpp"

#include <algorithm>
#include <numeric>
#include <string>

namespace meridian::model::metrics {

namespace {

core::Error invalid(const std::string& message) {
  return core::makeError(core::ErrorCode::InvalidArgument, message);
}

core::Status checkSizes(const std::vector<double>& scores, const std::vector<int>& labels) {
  if (scores.size() != labels.size())
    return invalid(std::to_string(scores.size()) + " scores for " + std::to_string(labels.size()) + " labels");
  if (scores.empty()) return invalid("no samples to evaluate");
  return core::Ok{};
}

/// Row order by descending score (stable, so equal scores keep their input order).
std::vector<std::size_t> descendingOrder(const std::vector<double>& scores) {
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  return order;
}

int classCount(const ScoreRows& scores) {
  return scores.empty() ? 0 : static_cast<int>(scores.front().size());
}

core::Status checkRows(const ScoreRows& scores, const std::vector<int>& labels) {
  if (scores.size() != labels.size())
    return invalid(std::to_string(scores.size()) + " score rows for " + std::to_string(labels.size()) + " labels");
  if (scores.empty()) return invalid("no samples to evaluate");
  const int classes = classCount(scores);
  if (classes < 2) return invalid("scores need at least two columns (classes)");
  for (const auto& row : scores)
    if (static_cast<int>(row.size()) != classes) return invalid("score rows have different lengths");
  for (int label : labels)
    if (label < 0 || label >= classes)
      return invalid("label " + std::to_string(label) + " outside 0.." + std::to_string(classes - 1));
  return core::Ok{};
}

template <class BinaryMetric>
core::Result<double> oneVsRestMean(const ScoreRows& scores, const std::vector<int>& labels, BinaryMetric metric) {
  auto status = checkRows(scores, labels);
  if (!status) return status.error();
  const int classes = classCount(scores);
  if (classes == 2) return metric(column(scores, 1), labels, 1);
  double sum = 0.0;
  for (int c = 0; c < classes; ++c) {
    auto value = metric(column(scores, c), labels, c);
    if (!value) return value.error();
    sum += value.value();
  }
  return sum / classes;
}

}  // namespace

std::vector<double> column(const ScoreRows& scores, int c) {
  std::vector<double> out;
  out.reserve(scores.size());
  for (const auto& row : scores) out.push_back(row.at(static_cast<std::size_t>(c)));
  return out;
}

core::Result<double> binaryAuroc(const std::vector<double>& scores, const std::vector<int>& labels, int positive) {
  auto status = checkSizes(scores, labels);
  if (!status) return status.error();
  // Mann-Whitney U from mid-ranks: tied scores share the mean of their ranks, which is
  // exactly "a tie counts one half" and the trapezoid under scikit-learn's ROC curve.
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
  double positiveRankSum = 0.0;
  std::size_t positives = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) ++j;
    const double midRank = 0.5 * static_cast<double>(i + 1 + j);  // ranks i+1 .. j
    for (std::size_t k = i; k < j; ++k)
      if (labels[order[k]] == positive) {
        positiveRankSum += midRank;
        ++positives;
      }
    i = j;
  }
  const std::size_t negatives = scores.size() - positives;
  if (positives == 0 || negatives == 0)
    return invalid("AUROC needs both classes: class " + std::to_string(positive) + " has " + std::to_string(positives) +
                   " samples, the rest " + std::to_string(negatives));
  const double p = static_cast<double>(positives), n = static_cast<double>(negatives);
  return (positiveRankSum - p * (p + 1.0) / 2.0) / (p * n);
}

core::Result<double> averagePrecision(const std::vector<double>& scores, const std::vector<int>& labels, int positive) {
  auto status = checkSizes(scores, labels);
  if (!status) return status.error();
  const auto positives = static_cast<std::size_t>(std::count(labels.begin(), labels.end(), positive));
  if (positives == 0)
    return invalid("average precision needs positives: class " + std::to_string(positive) + " does not occur");
  const auto order = descendingOrder(scores);
  // One precision/recall point per distinct score (all tied rows cross the threshold together).
  double ap = 0.0, previousRecall = 0.0;
  std::size_t truePositives = 0, seen = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) {
      if (labels[order[j]] == positive) ++truePositives;
      ++j;
    }
    seen = j;
    const double recall = static_cast<double>(truePositives) / static_cast<double>(positives);
    const double precision = static_cast<double>(truePositives) / static_cast<double>(seen);
    ap += (recall - previousRecall) * precision;
    previousRecall = recall;
    i = j;
  }
  return ap;
}

core::Result<double> macroAuroc(const ScoreRows& scores, const std::vector<int>& labels) {
  return oneVsRestMean(scores, labels, binaryAuroc);
}

core::Result<double> macroAveragePrecision(const ScoreRows& scores, const std::vector<int>& labels) {
  return oneVsRestMean(scores, labels, averagePrecision);
}

}  // namespace meridian::model::metrics
