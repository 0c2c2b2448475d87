#include "meridian/core/JobRunner.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

using namespace meridian::core;
using namespace std::chrono_literals;

namespace {

// A job that counts to `units`, reporting each, and stops on cancel with the one result.
JobFunction counting(int units, std::atomic<int>& done, std::chrono::milliseconds perUnit = 1ms) {
  return [units, &done, perUnit](const JobControl& job) -> Status {
    for (int i = 0; i < units; ++i) {
      if (job.cancelled()) return makeError(ErrorCode::Cancelled, "stopped after " + std::to_string(i));
      std::this_thread::sleep_for(perUnit);
      done.fetch_add(1);
      job.report({"units", static_cast<std::size_t>(i + 1), static_cast<std::size_t>(units), -1, ""});
    }
    return Ok{};
  };
}

}  // namespace

TEST(JobRunner, RunsAJobAndReportsSuccess) {
  JobRunner runner;
  std::atomic<int> done{0};
  const JobId id = runner.submit("count", counting(5, done));
  ASSERT_TRUE(runner.wait(id).ok());
  EXPECT_EQ(done.load(), 5);
  const auto s = runner.status(id);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->state, JobState::Succeeded);
  EXPECT_EQ(s->progress.done, 5u);
  EXPECT_EQ(s->progress.total, 5u);
  EXPECT_EQ(s->title, "count");
}

TEST(JobRunner, CancelStopsARunningJobWithTheOneCancelledResult) {
  JobRunner runner;
  std::atomic<int> done{0};
  const JobId id = runner.submit("long", counting(100000, done));
  while (done.load() < 3) std::this_thread::sleep_for(1ms);
  runner.cancel(id);
  const Status result = runner.wait(id);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::Cancelled);
  EXPECT_EQ(runner.status(id)->state, JobState::Cancelled);
  EXPECT_LT(done.load(), 100000);
}

TEST(JobRunner, QueuedJobsRunInOrderOneAtATimeAndACancelledQueuedJobNeverStarts) {
  JobRunner runner(1);
  std::mutex m;
  std::vector<int> order;
  std::atomic<bool> release{false};
  auto job = [&](int n) {
    return [&, n](const JobControl&) -> Status {
      if (n == 1)
        while (!release.load()) std::this_thread::sleep_for(1ms);
      std::lock_guard lk(m);
      order.push_back(n);
      return Ok{};
    };
  };
  const JobId a = runner.submit("a", job(1));
  const JobId b = runner.submit("b", job(2));
  const JobId c = runner.submit("c", job(3));
  EXPECT_EQ(runner.status(b)->state, JobState::Queued);
  runner.cancel(b);
  EXPECT_EQ(runner.status(b)->state, JobState::Cancelled);
  release = true;
  EXPECT_TRUE(runner.wait(a).ok());
  EXPECT_EQ(runner.wait(b).error().code, ErrorCode::Cancelled);
  EXPECT_TRUE(runner.wait(c).ok());
  EXPECT_EQ(order, (std::vector<int>{1, 3}));
  EXPECT_EQ(runner.activeCount(), 0u);
}

TEST(JobRunner, AFailureAndAnExceptionAreFailedNotCancelled) {
  JobRunner runner;
  const JobId a = runner.submit("fails", [](const JobControl&) -> Status { return makeError(ErrorCode::Io, "disk full"); });
  const JobId b = runner.submit("throws", [](const JobControl&) -> Status { throw std::runtime_error("boom"); });
  EXPECT_EQ(runner.wait(a).error().code, ErrorCode::Io);
  EXPECT_EQ(runner.status(a)->state, JobState::Failed);
  const Status rb = runner.wait(b);
  EXPECT_EQ(rb.error().code, ErrorCode::Internal);
  EXPECT_NE(rb.error().message.find("boom"), std::string::npos);
  EXPECT_EQ(runner.status(b)->state, JobState::Failed);
}

TEST(JobRunner, ListenerSeesQueuedRunningProgressWithEtaAndTheEnd) {
  JobRunner runner(1, 0ms);  // every progress report reaches the listener
  std::mutex m;
  std::vector<JobStatus> seen;
  runner.setListener([&](const JobStatus& s) {
    std::lock_guard lk(m);
    seen.push_back(s);
  });
  std::atomic<int> done{0};
  const JobId id = runner.submit("eta", counting(10, done, 5ms));
  ASSERT_TRUE(runner.wait(id).ok());
  runner.setListener({});
  std::lock_guard lk(m);
  ASSERT_GE(seen.size(), 3u);
  EXPECT_EQ(seen.front().state, JobState::Queued);
  EXPECT_EQ(seen.back().state, JobState::Succeeded);
  bool sawEta = false;
  for (const auto& s : seen)
    if (s.state == JobState::Running && s.progress.done > 0 && s.progress.done < 10) {
      EXPECT_GT(s.progress.etaSeconds, 0.0);
      sawEta = true;
    }
  EXPECT_TRUE(sawEta);
}

// The listener is what the jobs panel draws from: a job seen Running before Queued, or a
// finished job whose last event has not arrived, shows the wrong state. Many short jobs on
// several workers make the submitting thread and the workers race to report.
TEST(JobRunner, EachJobsEventsArriveInOrderAndTheLastBeforeWaitReturns) {
  JobRunner runner(4, 0ms);
  std::mutex m;
  std::map<JobId, std::vector<JobState>> seen;
  runner.setListener([&](const JobStatus& s) {
    std::lock_guard lk(m);
    seen[s.id].push_back(s.state);
  });
  std::atomic<int> done{0};
  std::vector<JobId> ids;
  for (int i = 0; i < 400; ++i) ids.push_back(runner.submit("short", counting(1, done, 0ms)));
  for (std::size_t i = 0; i < ids.size(); i += 7) runner.cancel(ids[i]);
  for (JobId id : ids) {
    (void)runner.wait(id);
    const JobState final = runner.status(id)->state;
    std::lock_guard lk(m);
    const auto& states = seen[id];
    ASSERT_FALSE(states.empty()) << "job " << id;
    EXPECT_EQ(states.front(), JobState::Queued) << "job " << id;
    EXPECT_EQ(states.back(), final) << "job " << id << ": wait() returned before its last event";
    for (std::size_t k = 1; k < states.size(); ++k)
      EXPECT_LE(static_cast<int>(states[k - 1]), static_cast<int>(states[k])) << "job " << id << " went back";
  }
}

TEST(JobRunner, DestructorCancelsWhatIsLeft) {
  std::atomic<int> done{0};
  {
    JobRunner runner(1);
    runner.submit("long", counting(1000000, done));
    runner.submit("never", counting(1, done));
    while (done.load() < 1) std::this_thread::sleep_for(1ms);
  }  // must return: the running job is cancelled, the queued one never starts
  EXPECT_LT(done.load(), 1000000);
}

TEST(JobRunner, EstimateSecondsLeft) {
  EXPECT_LT(estimateSecondsLeft(0, 10, 1.0), 0);
  EXPECT_LT(estimateSecondsLeft(3, 0, 1.0), 0);
  EXPECT_DOUBLE_EQ(estimateSecondsLeft(2, 10, 4.0), 16.0);
  EXPECT_DOUBLE_EQ(estimateSecondsLeft(10, 10, 4.0), 0.0);
}

// The threads preference changes how many jobs run at once, while jobs wait.
TEST(JobRunner, SetWorkersRaisesAndLowersHowManyJobsRunAtOnce) {
  JobRunner runner(1);
  std::atomic<int> running{0}, peak{0};
  std::atomic<bool> release{false};
  const auto gated = [&](const JobControl&) -> Status {
    const int now = running.fetch_add(1) + 1;
    for (int p = peak.load(); now > p && !peak.compare_exchange_weak(p, now);) {
    }
    while (!release.load()) std::this_thread::sleep_for(1ms);
    running.fetch_sub(1);
    return Ok{};
  };
  const auto waitFor = [&](int n) {
    for (int i = 0; i < 5000 && running.load() != n; ++i) std::this_thread::sleep_for(1ms);
    return running.load();
  };
  std::vector<JobId> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(runner.submit("gated", gated));
  EXPECT_EQ(waitFor(1), 1);
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(running.load(), 1) << "one worker: the others wait";
  runner.setWorkers(3);
  EXPECT_EQ(runner.workers(), 3);
  EXPECT_EQ(waitFor(3), 3) << "raised: the waiting jobs start at once";
  release = true;
  for (JobId id : ids) ASSERT_TRUE(runner.wait(id).ok());

  // Lowered back to one: never more than one at a time again.
  runner.setWorkers(1);
  release = false;
  peak = 0;
  ids.clear();
  for (int i = 0; i < 3; ++i) ids.push_back(runner.submit("gated", gated));
  EXPECT_EQ(waitFor(1), 1);
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(running.load(), 1);
  release = true;
  for (JobId id : ids) ASSERT_TRUE(runner.wait(id).ok());
  EXPECT_EQ(peak.load(), 1);
}
