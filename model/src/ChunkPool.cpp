#include "ChunkPool.hpp"

#include <omp.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "SignalShield.hpp"
#include "meridian/model/Runtime.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define MERIDIAN_PAUSE() _mm_pause()
#else
#define MERIDIAN_PAUSE() std::this_thread::yield()
#endif

namespace meridian::model {
namespace {

thread_local bool insideChunk = false;

// One job: immutable count and function, an atomic counter to take chunks from and one of
// chunks finished. Held by shared_ptr, so a worker that wakes after its job ended still
// reads valid memory (and finds no chunk left: it never calls fn then).
struct Job {
  int count = 0;
  const std::function<void(int)>* fn = nullptr;
  std::atomic<int> next{0};
  std::atomic<int> done{0};
  int maxWorkers = 0;
  std::atomic<int> joined{0};

  void work() {
    for (int i = next.fetch_add(1, std::memory_order_relaxed); i < count; i = next.fetch_add(1, std::memory_order_relaxed)) {
      (*fn)(i);
      done.fetch_add(1, std::memory_order_release);
    }
  }
};

class Pool {
 public:
  static Pool& instance() {
    static Pool* pool = new Pool;  // never destroyed: workers may outlive static destruction
    return *pool;
  }

  void run(int count, const std::function<void(int)>& fn) {
    const int helpers = std::min(intraOpThreads() - 1, count - 1);
    std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    if (helpers <= 0 || insideChunk || !busy.owns_lock()) {
      runInline(count, fn);
      return;
    }
    auto job = std::make_shared<Job>();
    job->count = count;
    job->fn = &fn;
    job->maxWorkers = helpers;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      while (static_cast<int>(workers_.size()) < helpers) workers_.emplace_back([this] { workerLoop(); });
      current_ = job;
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    insideChunk = true;
    job->work();
    insideChunk = false;
    // Only chunks a worker has taken are waited for; a worker that never ran took none.
    for (int spins = 0; job->done.load(std::memory_order_acquire) < count; ++spins) {
      if (spins < 4096) MERIDIAN_PAUSE();
      else std::this_thread::yield();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    current_.reset();
  }

 private:
  static void runInline(int count, const std::function<void(int)>& fn) {
    const bool outer = insideChunk;
    insideChunk = true;
    for (int i = 0; i < count; ++i) fn(i);
    insideChunk = outer;
  }

  void workerLoop() {
    omp_set_num_threads(1);  // ATen and oneDNN inside a chunk run on this thread alone
    blockAsyncSignalsOnThisThread();  // compute only: signals go to other threads (SignalShield.hpp)
    insideChunk = true;
    std::uint64_t seen = 0;
    for (;;) {
      // Spin briefly (the next product follows within microseconds), then sleep.
      for (int spins = 0; spins < 20000 && generation_.load(std::memory_order_acquire) == seen; ++spins)
        MERIDIAN_PAUSE();
      std::shared_ptr<Job> job;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_.load(std::memory_order_relaxed) != seen; });
        seen = generation_.load(std::memory_order_relaxed);
        job = current_;
      }
      if (job && job->joined.fetch_add(1, std::memory_order_relaxed) < job->maxWorkers) job->work();
    }
  }

  std::mutex busy_;   // one job at a time; a concurrent caller runs its chunks inline
  std::mutex mutex_;  // guards current_ and workers_
  std::condition_variable wake_;
  std::atomic<std::uint64_t> generation_{0};
  std::shared_ptr<Job> current_;
  std::vector<std::thread> workers_;
};

}  // namespace

void runChunks(int count, const std::function<void(int)>& fn) {
  if (count <= 0) return;
  Pool::instance().run(count, fn);
}

SerialOpenMpScope::SerialOpenMpScope() : saved_(omp_get_max_threads()) { omp_set_num_threads(1); }
SerialOpenMpScope::~SerialOpenMpScope() { omp_set_num_threads(saved_); }

}  // namespace meridian::model
