#include "ViewPrefetcher.hpp"

#include <dlfcn.h>

#include "DinoState.hpp"

namespace meridian::model::ssl {
namespace {

constexpr std::uint64_t kViewStream = 0x7e55;  // the view draws' stream (unchanged: resumes stay exact)

// The worker's ATen ops run on this one thread. LibTorch's OpenMP would give the worker a
// second team of intra-op threads beside the step's own: on a 2-core CPU four busy threads,
// and the step's threads spin at every barrier while a worker thread holds their core
// (issue 19: bench_dino's overlapped step took 2.2x the in-step one, most samples in libgomp).
// omp_set_num_threads sets the calling thread's own ICV; at::set_num_threads would also change
// the process-wide setting the step uses. Looked up at run time: LibTorch loads libgomp, this
// library does not link it.
void oneIntraOpThreadHere() {
  using SetThreads = void (*)(int);
  static const auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
  if (set != nullptr) set(1);
}

}  // namespace

std::vector<at::Tensor> slotViews(const DinoState& state, std::int64_t step, std::int64_t slot, std::int64_t index) {
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
    oneIntraOpThreadHere();
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
