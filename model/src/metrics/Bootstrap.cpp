#include "meridian/model/metrics/Bootstrap.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>

namespace meridian::model::metrics {

std::size_t SeededIndexDraw::operator()(std::size_t bound) {
  // Reject the top partial block of 2^64 so every index is equally likely.
  const std::uint64_t n = bound;
  const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % n;
  std::uint64_t r;
  do r = engine_();
  while (r >= limit);
  return static_cast<std::size_t>(r % n);
}

double quantile(std::vector<double> values, double q) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const double position = q * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const auto above = std::min(below + 1, values.size() - 1);
  const double weight = position - static_cast<double>(below);
  return values[below] + weight * (values[above] - values[below]);
}

core::Result<std::vector<Interval>> bootstrapIntervals(const std::vector<int>& labels,
                                                       const ResampleStatistics& statistics, std::size_t statisticCount,
                                                       const BootstrapOptions& options) {
  if (labels.empty()) return core::makeError(core::ErrorCode::InvalidArgument, "bootstrap: no samples");
  if (options.resamples < 1 || !(options.confidence > 0.0 && options.confidence < 1.0))
    return core::makeError(core::ErrorCode::InvalidArgument,
                           "bootstrap: needs at least one resample and a confidence between 0 and 1");
  std::map<int, std::vector<std::size_t>> rowsOfClass;
  for (std::size_t i = 0; i < labels.size(); ++i) rowsOfClass[labels[i]].push_back(i);

  SeededIndexDraw draw(options.seed);
  std::vector<std::vector<double>> samples(statisticCount);
  std::vector<std::size_t> rows(labels.size());
  for (int r = 0; r < options.resamples; ++r) {
    std::size_t k = 0;
    for (const auto& [label, members] : rowsOfClass)
      for (std::size_t i = 0; i < members.size(); ++i) rows[k++] = members[draw(members.size())];
    const auto values = statistics(rows);
    for (std::size_t s = 0; s < statisticCount && s < values.size(); ++s)
      if (!std::isnan(values[s])) samples[s].push_back(values[s]);
  }
  const double tail = (1.0 - options.confidence) / 2.0;
  std::vector<Interval> intervals;
  for (auto& values : samples) intervals.push_back({quantile(values, tail), quantile(values, 1.0 - tail)});
  return intervals;
}

}  // namespace meridian::model::metrics
