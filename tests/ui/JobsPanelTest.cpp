// The jobs panel over the one job runner: a long action runs off the UI thread while the
// event loop keeps answering (the figure is printed: the longest gap between two 5 ms timer
// ticks during a real import of the demo folder), jobs queue, Cancel stops one.

#include <gtest/gtest.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QPushButton>
#include <QTableWidget>
#include <QTimer>

#include <time.h>

#include <atomic>
#include <functional>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include "meridian/project/ProjectImport.hpp"
#include "meridian/project/ProjectStore.hpp"
#include "meridian/ui/JobsPanel.hpp"

namespace fs = std::filesystem;
using namespace meridian;

namespace {
const fs::path kDemo = MERIDIAN_TEST_DEMO_DATA;

// A job that works in 10 ms units until cancelled (or `units` done), reporting progress.
core::JobFunction untilCancelled(std::size_t units = 100000) {
  return [units](const core::JobControl& control) -> core::Status {
    for (std::size_t i = 0; i < units; ++i) {
      if (control.cancelled()) return core::makeError(core::ErrorCode::Cancelled, "stopped at the user's request");
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      control.report({"units", i + 1, units, -1, {}});
    }
    return core::Ok{};
  };
}
}  // namespace

TEST(JobsPanel, TheEventLoopAnswersWhileAnImportRuns) {
  const fs::path folder = fs::temp_directory_path() / "meridian-jobs-panel-test";
  fs::remove_all(folder);
  auto store = project::ProjectStore::create(folder);
  ASSERT_TRUE(store.ok()) << store.error().message;
  ui::JobsPanel panel(1);
  panel.resize(700, 200);
  panel.show();

  std::atomic<bool> running{false};
  std::thread::id jobThread;
  bool done = false;
  core::JobState endState = core::JobState::Queued;
  // Ticks of a 5 ms timer on the UI thread while the job runs; the longest gap between two
  // is how long the event loop was unable to answer. The same is measured for 1 s before the
  // job as the baseline of this machine at this moment (its load moves both), and the UI
  // thread's own CPU time says whether a gap was work on the UI thread or a wait for a core.
  struct Loop {
    int ticks = 0, over50 = 0;
    double longestGapMs = 0, cpuMs = 0, wallMs = 0;
  };
  const auto threadCpuMs = [] {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
  };
  const auto measure = [&](const std::function<bool()>& keepGoing, const std::function<bool()>& counts) {
    Loop loop;
    QElapsedTimer clock, sinceTick;
    clock.start();
    sinceTick.start();
    const double cpu0 = threadCpuMs();
    QTimer timer;
    QObject::connect(&timer, &QTimer::timeout, [&] {
      if (counts()) {
        const double gap = sinceTick.nsecsElapsed() / 1e6;
        ++loop.ticks;
        loop.longestGapMs = std::max(loop.longestGapMs, gap);
        loop.over50 += gap > 50.0;
      }
      sinceTick.restart();
    });
    timer.start(5);
    while (keepGoing() && clock.elapsed() < 120000) QApplication::processEvents(QEventLoop::AllEvents, 5);
    loop.cpuMs = threadCpuMs() - cpu0;
    loop.wallMs = clock.elapsed();
    return loop;
  };
  QElapsedTimer baselineClock;
  baselineClock.start();
  const Loop idle = measure([&] { return baselineClock.elapsed() < 1000; }, [] { return true; });
  const auto id = panel.submit(
      QStringLiteral("Import the demo folder"),
      [&](const core::JobControl& control) -> core::Status {
        jobThread = std::this_thread::get_id();
        running = true;
        auto report = project::importIntoProject(*store.value(), {kDemo}, control);
        running = false;
        return report ? core::Status(core::Ok{}) : core::Status(report.error());
      },
      [&](const core::JobStatus& job) {
        done = true;
        endState = job.state;
      });
  (void)id;
  const Loop busy = measure([&] { return !done; }, [&] { return running.load(); });
  const double ms = busy.wallMs;
  ASSERT_TRUE(done) << "the import never ended";
  EXPECT_EQ(endState, core::JobState::Succeeded);
  EXPECT_NE(jobThread, std::this_thread::get_id()) << "the job ran on the UI thread";
  std::cout << "event loop, idle 1 s (baseline): " << idle.ticks << " ticks of a 5 ms timer, longest gap "
            << idle.longestGapMs << " ms, " << idle.over50 << " over 50 ms; UI thread CPU " << idle.cpuMs << " ms\n"
            << "event loop during a " << ms << " ms import job: " << busy.ticks << " ticks, longest gap "
            << busy.longestGapMs << " ms, " << busy.over50 << " over 50 ms; UI thread CPU " << busy.cpuMs << " ms\n";
  EXPECT_GT(busy.ticks, 0) << "the UI thread did not turn once while the job ran";
  auto cases = store.value()->listCases();
  ASSERT_TRUE(cases.ok());
  EXPECT_GE(cases.value().size(), 8u);
  fs::remove_all(folder);
}

TEST(JobsPanel, JobsQueueAndCancelStopsOne) {
  ui::JobsPanel panel(1);
  panel.show();
  const auto first = panel.submit(QStringLiteral("first"), untilCancelled());
  const auto second = panel.submit(QStringLiteral("second"), untilCancelled());
  const auto third = panel.submit(QStringLiteral("third"), untilCancelled(3));
  QElapsedTimer clock;
  clock.start();
  while (panel.running() != 1 && clock.elapsed() < 10000) QApplication::processEvents(QEventLoop::AllEvents, 10);
  EXPECT_EQ(panel.running(), 1);
  EXPECT_EQ(panel.queued(), 2);
  EXPECT_EQ(panel.table()->rowCount(), 3);
  // Cancel the running one with its button; the queue moves on.
  auto* cancel = panel.findChild<QPushButton*>(QStringLiteral("cancelJob%1").arg(first));
  ASSERT_NE(cancel, nullptr);
  cancel->click();
  EXPECT_EQ(panel.runner().wait(first).error().code, core::ErrorCode::Cancelled);
  panel.runner().cancel(second);
  EXPECT_TRUE(panel.runner().wait(third).ok());
  panel.poll();
  EXPECT_EQ(panel.runner().status(first)->state, core::JobState::Cancelled);
  EXPECT_EQ(panel.runner().status(second)->state, core::JobState::Cancelled);
  EXPECT_EQ(panel.table()->item(0, 2)->text().toStdString(), "cancelled");
  EXPECT_EQ(panel.table()->item(2, 2)->text().left(7).toStdString(), "done in");
  EXPECT_EQ(panel.running(), 0);
  EXPECT_FALSE(panel.table()->cellWidget(0, 3)->isEnabled()) << "a finished job offers no Cancel";
}
