#pragma once
// The one job runner: every long action (import, thumbnails, inference, training, export)
// is a function of a JobControl that returns a Status, submitted here. Jobs wait in a
// queue (first in, first out) and run on the runner's worker threads, never on the caller's.
// The CLI's progress line and the GUI's jobs panel are two views of the same JobStatus.
//
// Contract:
// - A job polls control.cancelled() between units of work and reports progress with
//   control.report(); the runner adds elapsed time and an ETA (from done/total and the
//   elapsed time) when the job gives none.
// - A job that stops because it was cancelled returns ErrorCode::Cancelled; that is the one
//   "cancelled" result (state Cancelled). Any other error gives state Failed; an ok Status
//   gives Succeeded, even when a cancel came too late to stop it. A job that throws fails
//   with ErrorCode::Internal and the exception's text. A queued job that is cancelled never
//   starts and ends Cancelled.
// - Views either poll jobs()/status() (cheap snapshots, any thread) or install a listener.
//   The listener is called on the worker thread (never with the runner's lock held) when a
//   job is queued, starts, reports progress (at most every `progressInterval`, and always
//   for the last unit) and ends. A Qt view forwards it to its own thread. Events reach it
//   one at a time and in the order they happened (a job is never seen Running before its
//   Queued event), and a job's last event has been delivered when wait() returns for it.
// - The destructor cancels what is queued or running and waits for the running jobs.
//
// Qt-free and dependency-free (threads only): it lives in meridian_core, so the model-only
// build has it.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "meridian/core/JobControl.hpp"
#include "meridian/core/Result.hpp"

namespace meridian::core {

using JobId = std::uint64_t;

enum class JobState { Queued, Running, Succeeded, Failed, Cancelled };
const char* toString(JobState state);
inline bool isFinished(JobState s) { return s == JobState::Succeeded || s == JobState::Failed || s == JobState::Cancelled; }

/// One job as a view shows it.
struct JobStatus {
  JobId id = 0;
  std::string title;           // "Import 42 files", "Thumbnails", ...
  JobState state = JobState::Queued;
  JobProgress progress;        // the last report; progress.etaSeconds filled by the runner when known
  double elapsedSeconds = 0;   // since it started running (0 while queued)
  bool cancelRequested = false;
  std::optional<Error> error;  // set when Failed or Cancelled: the job's message
};

using JobFunction = std::function<Status(const JobControl&)>;

class JobRunner {
 public:
  using Listener = std::function<void(const JobStatus&)>;

  /// `workers` jobs run at once (at least 1); the rest wait in the queue.
  explicit JobRunner(int workers = 1, std::chrono::milliseconds progressInterval = std::chrono::milliseconds(100));
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  /// How many jobs may run at once from now on (at least 1; the threads preference). More
  /// start at once when jobs wait; fewer lets running jobs finish and starts no new one
  /// until the count is below the new limit.
  void setWorkers(int workers);
  int workers() const;

  /// Queues `work`; returns at once.
  JobId submit(std::string title, JobFunction work);

  /// Asks a queued or running job to stop (a no-op for finished or unknown ids).
  void cancel(JobId id);
  void cancelAll();

  /// Blocks until the job has finished and returns what it returned (ErrorCode::Cancelled
  /// when cancelled, NotFound for an unknown id).
  Status wait(JobId id);

  /// Snapshots for polling views: every job the runner still remembers (finished ones are
  /// kept until forgetFinished()), in submission order.
  std::vector<JobStatus> jobs() const;
  std::optional<JobStatus> status(JobId id) const;
  /// Number of jobs queued or running.
  std::size_t activeCount() const;
  /// Drops finished jobs from jobs().
  void forgetFinished();

  /// Replaces the listener (see the contract above); an empty function removes it.
  void setListener(Listener listener);

 private:
  struct Entry;
  void workerLoop();
  // Events are queued under mutex_ (which fixes their order) and delivered by
  // deliverPending() one at a time under deliveryMutex_ (recursive: a listener may submit
  // or cancel).
  void publishLocked(const JobStatus& status);
  void deliverPending();
  void onProgress(const std::shared_ptr<Entry>& entry, const JobProgress& progress);

  mutable std::mutex mutex_;
  std::condition_variable queueChanged_;
  std::condition_variable jobFinished_;
  std::deque<std::shared_ptr<Entry>> queue_;
  std::map<JobId, std::shared_ptr<Entry>> entries_;
  JobId nextId_ = 1;
  bool stopping_ = false;
  std::chrono::milliseconds progressInterval_;
  std::shared_ptr<Listener> listener_;
  std::deque<JobStatus> pending_;  // events not yet delivered to listener_
  std::recursive_mutex deliveryMutex_;
  std::vector<std::thread> workers_;  // never fewer threads than limit_; the extra ones idle
  int limit_ = 1;                     // jobs that may run at once
  int running_ = 0;                   // jobs running now
};

/// Estimates the time left from units done and time spent (the mean rate so far); negative
/// when it cannot tell yet (nothing done, or the total unknown).
double estimateSecondsLeft(std::size_t done, std::size_t total, double elapsedSeconds);

}  // namespace meridian::core
