#pragma once
// Progress and cancel for long jobs (a CT study, a whole slide, a training run).
// A job polls cancelled() between units of work and calls report(); the caller (the
// CLI's progress line, the GUI's job panel) decides what to show. Cheap to copy: the
// cancel flag is shared, so the copy a worker thread holds sees the caller's cancel().
//
// A cancelled job has one result everywhere: an Error with ErrorCode::Cancelled. A job that
// returns nothing else returns it as its Result; a job that keeps what it finished (a
// slide's patches, a volume's slices, a pretraining checkpoint) returns those with its
// `ended` Status set to it (see isCancelled).

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "meridian/core/Result.hpp"

namespace meridian::core {

struct JobProgress {
  std::string stage;       // "patches", "slices", "epoch 3/10", ...
  std::size_t done = 0;    // units finished in this stage
  std::size_t total = 0;   // 0 when unknown
  double etaSeconds = -1;  // < 0 when unknown
  std::string detail;      // e.g. "loss 0.4312"
};

class JobControl {
 public:
  using ProgressCallback = std::function<void(const JobProgress&)>;

  JobControl() = default;
  explicit JobControl(ProgressCallback onProgress) : onProgress_(std::move(onProgress)) {}

  void cancel() const { cancelled_->store(true, std::memory_order_relaxed); }
  bool cancelled() const { return cancelled_->load(std::memory_order_relaxed); }
  void report(const JobProgress& progress) const {
    if (onProgress_) onProgress_(progress);
  }

 private:
  std::shared_ptr<std::atomic<bool>> cancelled_ = std::make_shared<std::atomic<bool>>(false);
  ProgressCallback onProgress_;
};

/// True when `ended` is the one cancelled result (ErrorCode::Cancelled).
inline bool isCancelled(const Status& ended) { return !ended.ok() && ended.error().code == ErrorCode::Cancelled; }

}  // namespace meridian::core
