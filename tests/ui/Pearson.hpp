#pragma once
// Pearson correlation of two equally long samples: how the GUI tests compare screen pixels
// with the image values the viewer's geometry says should be there.

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace meridian::testsupport {

/// 0 for fewer than 100 pairs: too few pixels on screen is no evidence either way.
inline double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() < 100 || a.size() != b.size()) return 0.0;
  const double ma = std::accumulate(a.begin(), a.end(), 0.0) / a.size();
  const double mb = std::accumulate(b.begin(), b.end(), 0.0) / b.size();
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t k = 0; k < a.size(); ++k) {
    sab += (a[k] - ma) * (b[k] - mb);
    saa += (a[k] - ma) * (a[k] - ma);
    sbb += (b[k] - mb) * (b[k] - mb);
  }
  return sab / std::sqrt(std::max(saa * sbb, 1e-12));
}

}  // namespace meridian::testsupport
