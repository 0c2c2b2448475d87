#include "ViewPrefetcher.hpp"

#include <dlfcn.h>

#include "DinoState.hpp"

namespace meridian::model::ssl {
namespace {

constexpr std::uint64_t kViewStream = 0x7e55;  // the view draws' stream (unchanged: resumes stay exact)

// A sample's views are made on one intra-op thread, wherever they are made. On the worker:
// LibTorch's OpenMP would give it a second team of intra-op threads beside the step's own, on a
// 2-core CPU four busy threads, and the step's threads spin at every barrier while a worker
// thread holds their core (issue 19: bench_dino's overlapped step took 2.2x the in-step one,
// most samples in libgomp). In the step too (a resumed run's first step, rehearsal slots): a
// reduction such as the colour jitter's mean sums in another order on two threads, and a
// resumed run must make the very views the uninterrupted run made.
// omp_set_num_threads sets the calling thread's own ICV (at::set_num_threads would also change
// the process-wide setting the step uses); looked up at run time, since LibTorch loads libgomp
// and this library does not link it.
class OneIntraOpThread {
 public:
  OneIntraOpThread() {
    if (set_ == nullptr || get_ == nullptr) return;
    previous_ = get_();
    set_(1);
  }
  ~OneIntraOpThread() {
    if (previous_ > 0) set_(previous_);
  }
  OneIntraOpThread(const OneIntraOpThread&) = delete;
  OneIntraOpThread& operator=(const OneIntraOpThread&) = delete;

 private:
  using Set = void (*)(int);
  using Get = int (*)();
  static inline const Set set_ = reinterpret_cast<Set>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
  static inline const Get get_ = reinterpret_cast<Get>(dlsym(RTLD_DEFAULT, "omp_get_max_threads"));
  int previous_ = 0;
};

}  // namespace

std::vector<at::Tensor> slotViews(const DinoState& state, std::int64_t step, std::int64_t slot, std::int64_t index) {
  OneIntraOpThread oneThread;
  const auto& image = index >= 0 ? state.images[static_cast<std::size_t>(index)] : state.rehearsal->image(-1 - index);
  const bool colour =
      index >= 0 ? static_cast<bool>(state.colour[static_cast<std::size_t>(index)]) : state.rehearsal->colour(-1 - index);
  return state.augmenter->views(
      image, colour,
      mixSeed(state.options.seed, kViewStream ^ static_cast<std::uint64_t>(step), static_cast<std::uint64_t>(slot)));
}

ViewPrefetcher::~ViewPrefetcher() {
  if (pending_.valid()) pending_.wait();
}

void ViewPrefetcher::start(const DinoState& state, std::int64_t step, std::vector<std::int64_t> batch,
                           std::int64_t first, std::int64_t count) {
  if (pending_.valid()) pending_.wait();
  pending_ = std::async(std::launch::async, [&state, step, batch = std::move(batch), first, count]() {
    Prepared out;
    out.step = step;
    out.batch = batch;
    out.bySlot.resize(static_cast<std::size_t>(count));
    for (std::int64_t i = 0; i < count; ++i) {
      const auto index = batch[static_cast<std::size_t>(first + i)];
      if (index >= 0) out.bySlot[static_cast<std::size_t>(i)] = slotViews(state, step, first + i, index);
    }
    return out;
  });
}

ViewsByView ViewPrefetcher::take(const DinoState& state, std::int64_t step, const std::vector<std::int64_t>& batch,
                                 std::int64_t first, std::int64_t count) {
  Prepared prepared;
  if (pending_.valid()) prepared = pending_.get();
  const int views = 2 + state.options.localCrops;
  ViewsByView byView(static_cast<std::size_t>(views));
  for (std::int64_t i = 0; i < count; ++i) {
    const auto slot = first + i;
    const auto index = batch[static_cast<std::size_t>(slot)];
    const bool ready = prepared.step == step && index >= 0 &&
                       prepared.batch.size() == batch.size() &&
                       prepared.batch[static_cast<std::size_t>(slot)] == index &&
                       static_cast<std::size_t>(i) < prepared.bySlot.size() &&
                       !prepared.bySlot[static_cast<std::size_t>(i)].empty();
    auto sample = ready ? std::move(prepared.bySlot[static_cast<std::size_t>(i)]) : slotViews(state, step, slot, index);
    for (int v = 0; v < views; ++v)
      byView[static_cast<std::size_t>(v)].push_back(std::move(sample[static_cast<std::size_t>(v)]));
  }
  return byView;
}

}  // namespace meridian::model::ssl
