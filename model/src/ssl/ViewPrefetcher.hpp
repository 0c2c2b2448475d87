#pragma once
// DINO's multi-crop augmentation off the critical path: while step s computes, a worker
// thread makes the views of step s + 1. The views of a sample are a function of (seed, step,
// slot, image) only, so prefetched views are exactly the ones the step would have made; a
// slot whose image changed meanwhile (the rehearsal buffer fills and takes the batch's last
// slots) is made again on the spot. Rehearsal images are never read by the worker: the
// buffer changes at the end of every step.

#include <ATen/ATen.h>

#include <cstdint>
#include <future>
#include <vector>

namespace meridian::model::ssl {

struct DinoState;

/// views[v][i]: view v of this rank's i-th sample, [3, S, S] float.
using ViewsByView = std::vector<std::vector<at::Tensor>>;

class ViewPrefetcher {
 public:
  ViewPrefetcher() = default;
  ~ViewPrefetcher();  // waits for a worker still running
  ViewPrefetcher(const ViewPrefetcher&) = delete;
  ViewPrefetcher& operator=(const ViewPrefetcher&) = delete;

  /// The views of `batch` (global slot indices as globalBatch gives them) for this rank's
  /// slots [first, first + count) of step `step`: from the worker when it prepared them,
  /// else made here.
  ViewsByView take(const DinoState& state, std::int64_t step, const std::vector<std::int64_t>& batch,
                   std::int64_t first, std::int64_t count);

  /// Starts making step `step`'s views of the training images in `batch` on a worker thread.
  void start(const DinoState& state, std::int64_t step, std::vector<std::int64_t> batch, std::int64_t first,
             std::int64_t count);

 private:
  struct Prepared {
    std::int64_t step = -1;
    std::vector<std::int64_t> batch;  // what the worker was given
    std::vector<std::vector<at::Tensor>> bySlot;  // empty entry: not prepared (rehearsal slot)
  };
  std::future<Prepared> pending_;
};

/// The 2 + localCrops views of the image in global slot `slot` of step `step`.
std::vector<at::Tensor> slotViews(const DinoState& state, std::int64_t step, std::int64_t slot, std::int64_t index);

}  // namespace meridian::model::ssl
