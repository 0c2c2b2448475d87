#include "meridian/core/JobRunner.hpp"

#include <algorithm>
#include <exception>

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace meridian::core {

const char* toString(JobState state) {
  switch (state) {
    case JobState::Queued: return "queued";
    case JobState::Running: return "running";
    case JobState::Succeeded: return "succeeded";
    case JobState::Failed: return "failed";
    case JobState::Cancelled: return "cancelled";
  }
  return "unknown";
}

double estimateSecondsLeft(std::size_t done, std::size_t total, double elapsedSeconds) {
  if (done == 0 || total == 0 || elapsedSeconds <= 0) return -1;
  if (done >= total) return 0;
  return elapsedSeconds / static_cast<double>(done) * static_cast<double>(total - done);
}

struct JobRunner::Entry {
  JobStatus status;
  JobFunction work;
  JobControl control;  // replaced before the job runs, with a callback into the runner
  std::chrono::steady_clock::time_point started{};
  std::chrono::steady_clock::time_point lastNotified{};
  std::optional<Status> result;
};

JobRunner::JobRunner(int workers, std::chrono::milliseconds progressInterval)
    : progressInterval_(progressInterval) {
  setWorkers(workers);
}

void JobRunner::setWorkers(int workers) {
  {
    std::lock_guard lock(mutex_);
    limit_ = std::max(1, workers);
    // Threads are only added (the owner's thread is the only one that touches workers_).
    while (static_cast<int>(workers_.size()) < limit_) workers_.emplace_back([this] { workerLoop(); });
  }
  queueChanged_.notify_all();
}

int JobRunner::workers() const {
  std::lock_guard lock(mutex_);
  return limit_;
}

JobRunner::~JobRunner() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cancelAll();
  queueChanged_.notify_all();
  for (auto& t : workers_) t.join();
}

JobId JobRunner::submit(std::string title, JobFunction work) {
  std::shared_ptr<Entry> entry = std::make_shared<Entry>();
  JobStatus snapshot;
  {
    std::lock_guard lock(mutex_);
    entry->status.id = nextId_++;
    entry->status.title = std::move(title);
    entry->work = std::move(work);
    std::weak_ptr<Entry> weak = entry;
    entry->control = JobControl([this, weak](const JobProgress& p) {
      if (auto e = weak.lock()) onProgress(e, p);
    });
    entries_[entry->status.id] = entry;
    if (stopping_) {
      entry->status.state = JobState::Cancelled;
      entry->status.error = makeError(ErrorCode::Cancelled, "the job runner is shutting down");
      entry->result = *entry->status.error;
    } else {
      queue_.push_back(entry);
    }
    snapshot = entry->status;
    publishLocked(snapshot);
  }
  queueChanged_.notify_one();
  deliverPending();
  return snapshot.id;
}

void JobRunner::cancel(JobId id) {
  std::shared_ptr<Entry> cancelledInQueue;  // set when the job never started
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(id);
    if (it == entries_.end() || isFinished(it->second->status.state)) return;
    auto& e = *it->second;
    e.status.cancelRequested = true;
    e.control.cancel();
    if (e.status.state == JobState::Queued) {
      queue_.erase(std::remove(queue_.begin(), queue_.end(), it->second), queue_.end());
      e.status.state = JobState::Cancelled;
      e.status.error = makeError(ErrorCode::Cancelled, "cancelled before it started");
      publishLocked(e.status);
      cancelledInQueue = it->second;
    }
  }
  if (cancelledInQueue) {
    deliverPending();  // before wait() can return: the listener has seen the end
    {
      std::lock_guard lock(mutex_);
      cancelledInQueue->result = *cancelledInQueue->status.error;
    }
    jobFinished_.notify_all();
  }
}

void JobRunner::cancelAll() {
  std::vector<JobId> ids;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, e] : entries_)
      if (!isFinished(e->status.state)) ids.push_back(id);
  }
  for (JobId id : ids) cancel(id);
}

Status JobRunner::wait(JobId id) {
  std::unique_lock lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return makeError(ErrorCode::NotFound, "no job " + std::to_string(id));
  std::shared_ptr<Entry> entry = it->second;
  jobFinished_.wait(lock, [&] { return entry->result.has_value(); });
  return *entry->result;
}

std::vector<JobStatus> JobRunner::jobs() const {
  std::lock_guard lock(mutex_);
  std::vector<JobStatus> out;
  out.reserve(entries_.size());
  const auto now = std::chrono::steady_clock::now();
  for (const auto& [id, e] : entries_) {
    out.push_back(e->status);
    if (e->status.state == JobState::Running)
      out.back().elapsedSeconds = std::chrono::duration<double>(now - e->started).count();
  }
  return out;
}

std::optional<JobStatus> JobRunner::status(JobId id) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return std::nullopt;
  JobStatus s = it->second->status;
  if (s.state == JobState::Running)
    s.elapsedSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - it->second->started).count();
  return s;
}

std::size_t JobRunner::activeCount() const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(entries_.begin(), entries_.end(),
                                                [](const auto& kv) { return !isFinished(kv.second->status.state); }));
}

void JobRunner::forgetFinished() {
  std::lock_guard lock(mutex_);
  for (auto it = entries_.begin(); it != entries_.end();)
    it = isFinished(it->second->status.state) ? entries_.erase(it) : std::next(it);
}

void JobRunner::setListener(Listener listener) {
  std::lock_guard lock(mutex_);
  listener_ = listener ? std::make_shared<Listener>(std::move(listener)) : nullptr;
  if (!listener_) pending_.clear();
}

void JobRunner::publishLocked(const JobStatus& status) {
  if (listener_) pending_.push_back(status);
}

void JobRunner::deliverPending() {
  // Whoever holds deliveryMutex_ drains the whole queue, so a thread that finds it taken
  // waits and returns with its own events delivered.
  std::lock_guard delivering(deliveryMutex_);
  for (;;) {
    JobStatus status;
    std::shared_ptr<Listener> listener;
    {
      std::lock_guard lock(mutex_);
      if (pending_.empty()) return;
      status = std::move(pending_.front());
      pending_.pop_front();
      listener = listener_;
    }
    if (listener) (*listener)(status);
  }
}

void JobRunner::onProgress(const std::shared_ptr<Entry>& entry, const JobProgress& progress) {
  {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    auto& s = entry->status;
    s.progress = progress;
    s.elapsedSeconds = std::chrono::duration<double>(now - entry->started).count();
    if (s.progress.etaSeconds < 0) s.progress.etaSeconds = estimateSecondsLeft(progress.done, progress.total, s.elapsedSeconds);
    const bool last = progress.total > 0 && progress.done >= progress.total;
    if (!last && now - entry->lastNotified < progressInterval_) return;
    entry->lastNotified = now;
    publishLocked(s);
  }
  deliverPending();
}

void JobRunner::workerLoop() {
#ifdef __linux__
  // Jobs are background work: on a busy machine the UI thread (and the CLI's progress line)
  // must win the CPU over them. On Linux the nice value is per thread, and the threads a job
  // starts (parallelFor) inherit it. Failure only leaves the default priority.
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
#endif
  for (;;) {
    std::shared_ptr<Entry> entry;
    {
      std::unique_lock lock(mutex_);
      queueChanged_.wait(lock, [&] { return stopping_ || (!queue_.empty() && running_ < limit_); });
      if (stopping_ && queue_.empty()) return;  // nothing left (cancelAll emptied the queue)
      if (queue_.empty()) continue;
      ++running_;
      entry = queue_.front();
      queue_.pop_front();
      entry->status.state = JobState::Running;
      entry->started = std::chrono::steady_clock::now();
      publishLocked(entry->status);
    }
    deliverPending();

    Status result = Ok{};
    try {
      result = entry->work(entry->control);
    } catch (const std::exception& e) {
      result = makeError(ErrorCode::Internal, std::string("the job failed unexpectedly: ") + e.what());
    } catch (...) {
      result = makeError(ErrorCode::Internal, "the job failed unexpectedly");
    }

    {
      std::lock_guard lock(mutex_);
      auto& s = entry->status;
      s.elapsedSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - entry->started).count();
      if (result.ok()) {
        s.state = JobState::Succeeded;
      } else {
        s.state = result.error().code == ErrorCode::Cancelled ? JobState::Cancelled : JobState::Failed;
        s.error = result.error();
      }
      entry->work = nullptr;  // release what the job captured
      publishLocked(s);
      --running_;
    }
    queueChanged_.notify_all();  // a worker may start the next job now that one ended
    deliverPending();            // before wait() can return: the listener has seen the end
    {
      std::lock_guard lock(mutex_);
      entry->result = result;
    }
    jobFinished_.notify_all();
  }
}

}  // namespace meridian::core
