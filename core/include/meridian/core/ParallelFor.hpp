#pragma once
// parallelFor(n, body): body(i) for i in [0, n) on up to hardware_concurrency threads,
// handing out indices one at a time (items of uneven cost balance themselves).

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace meridian::core {

template <class Body>
void parallelFor(std::size_t n, Body&& body, unsigned maxThreads = 0) {
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const unsigned threads = static_cast<unsigned>(std::min<std::size_t>(maxThreads ? maxThreads : hw, n));
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
