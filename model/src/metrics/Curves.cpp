#include "meridian/model/metrics/Curves.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

namespace meridian::model::metrics {

namespace {

core::Error invalid(const std::string& message) {
  return core::makeError(core::ErrorCode::InvalidArgument, message);
}

/// The curve over the rows `rows` (with repetitions, for resamples); empty when a side is empty.
std::vector<RocPoint> curveOf(const std::vector<double>& scores, const std::vector<int>& labels, int positive,
                              const std::vector<std::size_t>& rows) {
  std::vector<std::size_t> order(rows);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  std::size_t positives = 0;
  for (auto row : rows) positives += labels[row] == positive ? 1 : 0;
  const std::size_t negatives = rows.size() - positives;
  if (positives == 0 || negatives == 0) return {};
  std::vector<RocPoint> curve{{0.0, 0.0, std::numeric_limits<double>::infinity()}};
  std::size_t tp = 0, fp = 0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    (labels[order[i]] == positive ? tp : fp)++;
    // One point per distinct score: ties move together, as a threshold cannot split them.
    if (i + 1 < order.size() && scores[order[i + 1]] == scores[order[i]]) continue;
    curve.push_back({static_cast<double>(fp) / static_cast<double>(negatives),
                     static_cast<double>(tp) / static_cast<double>(positives), scores[order[i]]});
  }
  return curve;
}

}  // namespace

core::Result<std::vector<RocPoint>> rocCurve(const std::vector<double>& scores, const std::vector<int>& labels,
                                             int positive) {
  if (scores.size() != labels.size())
    return invalid("ROC curve: " + std::to_string(scores.size()) + " scores for " + std::to_string(labels.size()) +
                   " labels");
  for (double s : scores)
    if (std::isnan(s)) return invalid("ROC curve: a score is NaN");
  std::vector<std::size_t> rows(scores.size());
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  auto curve = curveOf(scores, labels, positive, rows);
  if (curve.empty()) return invalid("ROC curve: needs both positive and negative samples");
  return curve;
}

double truePositiveRateAt(const std::vector<RocPoint>& curve, double fpr) {
  double best = 0.0;
  for (const auto& point : curve)
    if (point.falsePositiveRate <= fpr + 1e-12) best = std::max(best, point.truePositiveRate);
  return best;
}

core::Result<RocBand> rocBootstrapBand(const std::vector<double>& scores, const std::vector<int>& labels, int positive,
                                       std::size_t gridPoints, const BootstrapOptions& options) {
  if (gridPoints < 2) return invalid("ROC band: needs at least two grid points");
  if (auto curve = rocCurve(scores, labels, positive); !curve) return curve.error();
  RocBand band;
  for (std::size_t g = 0; g < gridPoints; ++g)
    band.falsePositiveRate.push_back(static_cast<double>(g) / static_cast<double>(gridPoints - 1));
  // Stratify on "positive or not", so every resample keeps both sides of this curve.
  std::vector<int> sides;
  for (int label : labels) sides.push_back(label == positive ? 1 : 0);
  auto intervals = bootstrapIntervals(
      sides,
      [&](const std::vector<std::size_t>& rows) {
        const auto curve = curveOf(scores, labels, positive, rows);
        std::vector<double> tpr;
        for (double fpr : band.falsePositiveRate)
          tpr.push_back(curve.empty() ? std::numeric_limits<double>::quiet_NaN() : truePositiveRateAt(curve, fpr));
        return tpr;
      },
      gridPoints, options);
  if (!intervals) return intervals.error();
  for (const auto& interval : intervals.value()) {
    band.low.push_back(interval.low);
    band.high.push_back(interval.high);
  }
  return band;
}

}  // namespace meridian::model::metrics
