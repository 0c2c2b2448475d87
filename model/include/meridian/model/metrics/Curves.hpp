#pragma once
// The curve behind the AUROC (torch-free), for the charts a training run ends with: the
// ROC curve, scikit-learn's roc_curve with drop_intermediate=False (one point per distinct
// score, highest first, from (0, 0) to (1, 1)), and a bootstrap band around it. The
// reliability bins are calibrationBins in ClassificationMetrics.hpp.

#include <cstddef>
#include <limits>
#include <vector>

#include "meridian/core/Result.hpp"
#include "meridian/model/metrics/Bootstrap.hpp"
#include "meridian/model/metrics/RankMetrics.hpp"

namespace meridian::model::metrics {

struct RocPoint {
  double falsePositiveRate = 0.0;
  double truePositiveRate = 0.0;
  double threshold = std::numeric_limits<double>::infinity();  // "positive" when score >= threshold
};

/// The ROC curve of `scores` for labels == positive against the rest. Fails when either
/// side is empty or the sizes differ.
core::Result<std::vector<RocPoint>> rocCurve(const std::vector<double>& scores, const std::vector<int>& labels,
                                             int positive = 1);

/// The true-positive rate the curve reaches at false-positive rate `fpr` (the step
/// function: the highest TPR among points with FPR <= fpr).
double truePositiveRateAt(const std::vector<RocPoint>& curve, double fpr);

/// A pointwise percentile bootstrap band around the ROC curve: for each false-positive
/// rate of an even grid (0, 1/(n-1), ..., 1), the interval of the TPR over resamples that
/// keep each side's size (stratified, as the AUROC interval is).
struct RocBand {
  std::vector<double> falsePositiveRate;
  std::vector<double> low;
  std::vector<double> high;
};
core::Result<RocBand> rocBootstrapBand(const std::vector<double>& scores, const std::vector<int>& labels, int positive,
                                       std::size_t gridPoints, const BootstrapOptions& options);

}  // namespace meridian::model::metrics
