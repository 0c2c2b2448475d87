#pragma once
// Timing shared by the benchmarks: one warm-up call, then the median of `runs` calls.

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

namespace meridian::bench {

/// Median wall time in milliseconds of `runs` calls of `work`, after one warm-up call.
inline double medianMs(int runs, const std::function<void()>& work) {
  work();
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    work();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::nth_element(ms.begin(), ms.begin() + runs / 2, ms.end());
  return ms[runs / 2];
}

/// The 1, 5 and 15 minute load averages: printed beside every timing, since a busy machine
/// slows every number.
inline std::string loadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

}  // namespace meridian::bench
