#pragma once
// Percentile bootstrap confidence intervals with stratified resampling: every resample
// draws, for each class, as many rows (with replacement) as the class has, so each
// resample keeps the class balance and AUROC stays defined. Seeded and portable (the
// index draw does not depend on the standard library's distributions).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "meridian/core/Result.hpp"

namespace meridian::model::metrics {

struct BootstrapOptions {
  int resamples = 1000;
  double confidence = 0.95;
  std::uint64_t seed = 0;
};

struct Interval {
  double low = 0.0;
  double high = 0.0;
};

/// Computes several statistics on one resample (the rows picked, with repetitions).
/// A statistic that is undefined on a resample returns NaN there; it is left out of that
/// statistic's interval.
using ResampleStatistics = std::function<std::vector<double>(const std::vector<std::size_t>& rows)>;

/// One interval per statistic. Fails when `labels` is empty or options are out of range.
core::Result<std::vector<Interval>> bootstrapIntervals(const std::vector<int>& labels,
                                                       const ResampleStatistics& statistics, std::size_t statisticCount,
                                                       const BootstrapOptions& options);

/// The q-quantile (0..1) of `values` with linear interpolation (numpy's default); sorts.
double quantile(std::vector<double> values, double q);

/// A uniform integer in [0, bound) from std::mt19937_64 (whose sequence the C++ standard
/// fixes) by rejection: unbiased and identical on every platform, unlike
/// std::uniform_int_distribution, whose algorithm each standard library chooses.
class SeededIndexDraw {
 public:
  explicit SeededIndexDraw(std::uint64_t seed) : engine_(seed) {}
  std::size_t operator()(std::size_t bound);

 private:
  std::mt19937_64 engine_;
};

}  // namespace meridian::model::metrics
