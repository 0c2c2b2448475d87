// parallelFor uses the threads the workstation's preference sets (setParallelThreads).
#include "meridian/core/ParallelFor.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <set>
#include <thread>

using namespace meridian::core;

namespace {
// How many distinct threads ran the body. Each item waits (up to 5 s) until `awaited` threads
// have shown up, so a loaded machine starting a thread late cannot hide it; each item also
// takes a little time, so a thread that exists gets work.
std::size_t threadsUsed(std::size_t awaited, unsigned maxThreads = 0) {
  std::mutex m;
  std::set<std::thread::id> seen;
  parallelFor(48, [&](std::size_t) {
    {
      std::lock_guard lock(m);
      seen.insert(std::this_thread::get_id());
    }
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
      {
        std::lock_guard lock(m);
        if (seen.size() >= awaited) break;
      }
      if (std::chrono::steady_clock::now() > until) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }, maxThreads);
  return seen.size();
}
}  // namespace

TEST(ParallelFor, TheThreadsSettingIsWhatACallWithoutACountUses) {
  setParallelThreads(1);
  EXPECT_EQ(parallelThreads(), 1u);
  EXPECT_EQ(threadsUsed(1), 1u);
  setParallelThreads(3);
  EXPECT_EQ(parallelThreads(), 3u);
  EXPECT_EQ(threadsUsed(3), 3u);
  EXPECT_EQ(threadsUsed(2, 2), 2u) << "a call that says how many keeps its count";
  setParallelThreads(0);
  EXPECT_EQ(parallelThreads(), std::max(1u, std::thread::hardware_concurrency()));
}
