#include <dlfcn.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "ScopedIntraOpThreads.hpp"
#include "ScopedSingleThreadBlas.hpp"
#include "meridian/model/Runtime.hpp"

using namespace meridian::model;

TEST(Runtime, ReportsTorchVersionAndThreads) {
  const RuntimeInfo info = initializeRuntime();
  EXPECT_FALSE(info.torchVersion.empty());
  EXPECT_GE(info.intraOpThreads, 1);
  if (!info.cudaAvailable) {
    EXPECT_EQ(info.cudaDeviceCount, 0);
  }
}

TEST(Runtime, MatmulIsCorrect) {
  auto check = checkMatmul(128);
  ASSERT_TRUE(check.ok()) << check.error().describe();
  EXPECT_EQ(check.value().size, 128);
  EXPECT_LT(check.value().maxRelativeError, 1e-4);
  EXPECT_GT(check.value().gflops, 0.0);
}

TEST(Runtime, RejectsSillyMatrixSizes) {
  EXPECT_FALSE(checkMatmul(2).ok());
  EXPECT_FALSE(checkMatmul(100000).ok());
}

// The window's cap (setIntraOpThreads, one core left to its UI thread) reaches LibTorch on a
// thread that runs its first operation afterwards, a thread that ran some before (through
// applyIntraOpThreads, as a model job starts), and OpenBLAS's own pool; 0 gives every core back.
TEST(Runtime, TheThreadCapReachesLibTorchAndOpenBlas) {
  const int cores = std::max(1u, std::thread::hardware_concurrency());
  EXPECT_EQ(initializeRuntime().intraOpThreads, cores);
  int before = 0;
  std::thread early([&] { before = initializeRuntime().intraOpThreads; });  // ran operations uncapped
  early.join();
  EXPECT_EQ(before, cores);

  setIntraOpThreads(1);
  EXPECT_EQ(intraOpThreads(), 1);
  int later = 0;
  std::thread fresh([&] { later = initializeRuntime().intraOpThreads; });
  fresh.join();
  EXPECT_EQ(later, 1) << "a thread started after the cap";
  using GetThreads = int (*)();
  if (auto get = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"))) {
    EXPECT_EQ(get(), 1) << "OpenBLAS's pool";
  }

  // A long-lived worker that ran operations before the cap takes it when its job starts.
  std::mutex m;
  std::condition_variable cv;
  int step = 0, seen = 0, applied = 0;
  setIntraOpThreads(0);
  std::thread worker([&] {
    (void)checkMatmul(16);  // an operation: this thread's team is sized now (every core)
    std::unique_lock lk(m);
    seen = initializeRuntime().intraOpThreads;
    step = 1;
    cv.notify_all();
    cv.wait(lk, [&] { return step == 2; });
    applyIntraOpThreads();
    applied = initializeRuntime().intraOpThreads;
  });
  {
    std::unique_lock lk(m);
    cv.wait(lk, [&] { return step == 1; });
    setIntraOpThreads(1);
    step = 2;
    cv.notify_all();
  }
  worker.join();
  EXPECT_EQ(seen, cores);
  EXPECT_EQ(applied, 1) << "a worker that ran operations before the cap";
  setIntraOpThreads(0);
  EXPECT_EQ(intraOpThreads(), cores);
}

// DINO's bf16 step keeps OpenBLAS on its calling thread (ScopedSingleThreadBlas.hpp) and gives
// the pool its size back afterwards; a disabled scope changes nothing.
TEST(Runtime, ASingleThreadBlasScopeRestoresOpenBlasPool) {
  using GetThreads = int (*)();
  const auto get = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  if (get == nullptr) GTEST_SKIP() << "the BLAS here is not OpenBLAS";
  ScopedIntraOpThreads two(2);
  ASSERT_EQ(get(), 2);
  {
    const ScopedSingleThreadBlas scope(true);
    EXPECT_EQ(get(), 1);
  }
  EXPECT_EQ(get(), 2);
  {
    const ScopedSingleThreadBlas scope(false);
    EXPECT_EQ(get(), 2);
  }
}
