#include "meridian/model/Aggregation.hpp"

#include <algorithm>
#include <functional>

namespace meridian::model {

ScoreAggregation aggregateScores(const std::vector<std::vector<float>>& scores, int topK) {
  ScoreAggregation out;
  if (scores.empty() || scores.front().empty()) return out;
  const std::size_t classes = scores.front().size();
  const std::size_t n = scores.size();
  out.topK = static_cast<int>(std::clamp<std::size_t>(static_cast<std::size_t>(std::max(topK, 1)), 1, n));
  out.mean.assign(classes, 0.0f);
  out.max.assign(classes, 0.0f);
  out.topKMean.assign(classes, 0.0f);
  std::vector<float> column(n);
  for (std::size_t c = 0; c < classes; ++c) {
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      column[i] = c < scores[i].size() ? scores[i][c] : 0.0f;
      sum += column[i];
    }
    out.mean[c] = static_cast<float>(sum / static_cast<double>(n));
    out.max[c] = *std::max_element(column.begin(), column.end());
    const auto k = static_cast<std::ptrdiff_t>(out.topK);
    std::nth_element(column.begin(), column.begin() + (k - 1), column.end(), std::greater<float>());
    double top = 0.0;
    for (std::ptrdiff_t i = 0; i < k; ++i) top += column[static_cast<std::size_t>(i)];
    out.topKMean[c] = static_cast<float>(top / static_cast<double>(k));
  }
  return out;
}

}  // namespace meridian::model
