#pragma once
// parallelFor(n, body): body(i) for i in [0, n) on up to parallelThreads() threads (the
// workstation's threads preference, else hardware_concurrency), handing out indices one at
// a time (items of uneven cost balance themselves). The DICOM readers read a series' files
// this way.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace meridian::core {

namespace detail {
inline std::atomic<unsigned>& parallelThreadsSetting() {
  static std::atomic<unsigned> threads{0};
  return threads;
}
}  // namespace detail

/// Sets how many threads parallelFor uses when a call does not say (0 = one per core).
/// The window sets it from the threads preference.
inline void setParallelThreads(unsigned threads) { detail::parallelThreadsSetting().store(threads); }
/// The threads a parallelFor without maxThreads uses now (at least 1).
inline unsigned parallelThreads() {
  const unsigned set = detail::parallelThreadsSetting().load();
  return set ? set : std::max(1u, std::thread::hardware_concurrency());
}

template <class Body>
void parallelFor(std::size_t n, Body&& body, unsigned maxThreads = 0) {
  const unsigned threads = static_cast<unsigned>(std::min<std::size_t>(maxThreads ? maxThreads : parallelThreads(), n));
  if (threads <= 1) {
    for (std::size_t i = 0; i < n; ++i) body(i);
    return;
  }
  std::atomic<std::size_t> next{0};
  const auto worker = [&] {
    for (std::size_t i = next++; i < n; i = next++) body(i);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
}

}  // namespace meridian::core
