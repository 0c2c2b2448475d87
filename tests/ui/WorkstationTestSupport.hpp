#pragma once
// What the workstation's GUI tests share, in one place instead of a copy per test file:
// waiting on the event loop, screenshots a person looks at, a project made from demo files
// through the window's own import job, keys pressed as a person presses them, a case's
// labels. Header-only; every test_ui source gets MERIDIAN_TEST_DEMO_DATA and
// MERIDIAN_TEST_OUTPUT from tests/ui/CMakeLists.txt.

#include <gtest/gtest.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QTest>
#include <QTimer>
#include <QWidget>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "VolumeTestSupport.hpp"
#include "meridian/core/JobRunner.hpp"
#include "meridian/project/ProjectStore.hpp"
#include "meridian/ui/CaseBrowser.hpp"
#include "meridian/ui/JobsPanel.hpp"
#include "meridian/ui/MainWindow.hpp"
#include "meridian/viewers/SlideViewer.hpp"

namespace meridian::testsupport {

inline const std::filesystem::path kDemoData = MERIDIAN_TEST_DEMO_DATA;
inline const std::filesystem::path kUiOutput = MERIDIAN_TEST_OUTPUT;

/// Turns the event loop until `done` (true) or `timeoutMs` (false).
inline bool waitUntil(const std::function<bool()>& done, int timeoutMs = 60000) {
  QElapsedTimer clock;
  clock.start();
  while (!done() && clock.elapsed() < timeoutMs) QApplication::processEvents(QEventLoop::AllEvents, 10);
  return done();
}

/// How long the UI thread goes without answering while something runs: a 5 ms precise timer
/// in the event loop notes the gap (ms) since its previous tick. Made before a job starts and
/// read after it ends, with the test turning the loop (waitUntil) in between.
class EventLoopGaps {
 public:
  EventLoopGaps() {
    since_.start();
    timer_.setTimerType(Qt::PreciseTimer);
    QObject::connect(&timer_, &QTimer::timeout, [this] {
      ms_.push_back(static_cast<double>(since_.nsecsElapsed()) / 1e6);
      since_.restart();
    });
    timer_.start(5);
  }
  void stop() { timer_.stop(); }
  std::size_t ticks() const { return ms_.size(); }
  double quantile(double q) const {
    if (ms_.empty()) return 0.0;
    std::vector<double> sorted = ms_;
    std::sort(sorted.begin(), sorted.end());
    return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(q * static_cast<double>(sorted.size())))];
  }
  double longest() const { return ms_.empty() ? 0.0 : *std::max_element(ms_.begin(), ms_.end()); }
  std::size_t over(double bound) const {
    return static_cast<std::size_t>(std::count_if(ms_.begin(), ms_.end(), [&](double g) { return g > bound; }));
  }
  std::string describe() const {
    return std::to_string(ticks()) + " ticks, p50 " + std::to_string(quantile(0.5)) + " ms, p99 " +
           std::to_string(quantile(0.99)) + " ms, longest " + std::to_string(longest()) + " ms, " +
           std::to_string(over(50.0)) + " over 50 ms";
  }

 private:
  QTimer timer_;
  QElapsedTimer since_;
  std::vector<double> ms_;
};

/// Saves `widget` as build/test-output/ui/NAME and prints where. A window showing a slide
/// first waits until its field of view is loaded, so the picture shows tiles, not grey.
inline void screenshot(QWidget& widget, const std::string& name) {
  for (int i = 0; i < 10; ++i) QApplication::processEvents();
  if (auto* window = qobject_cast<ui::MainWindow*>(&widget);
      window && window->currentViewerKind() == viewers::ViewerKind::Slide)
    (void)window->slideViewer()->waitForFieldOfView();
  std::filesystem::create_directories(kUiOutput);
  const std::filesystem::path file = kUiOutput / name;
  ASSERT_TRUE(widget.grab().save(QString::fromStdString(file.string()), "PNG")) << file;
  std::cout << "screenshot: " << file.string() << "\n";
}

/// Adds `paths` to the window's open project through its import job (as File ▸ Add does)
/// and waits until the job ended and the case browser shows its cases.
inline void importAndWait(ui::MainWindow& window, const std::vector<std::filesystem::path>& paths) {
  auto job = window.caseBrowser()->addPaths(paths);
  ASSERT_TRUE(job.ok()) << job.error().message;
  ASSERT_TRUE(waitUntil([&] {
    auto s = window.jobsPanel()->runner().status(job.value());
    return s && core::isFinished(s->state);
  }, 180000));  // a loaded shared machine: minutes, not seconds
  ASSERT_EQ(window.jobsPanel()->runner().status(job.value())->state, core::JobState::Succeeded);
  window.jobsPanel()->poll();  // the job's end reaches the case browser (the panel polls every 100 ms)
  processEvents();
}

/// A new project at `folder` (whatever was there is removed first) holding `paths`.
inline void newProjectWith(ui::MainWindow& window, const std::filesystem::path& folder,
                           const std::vector<std::filesystem::path>& paths) {
  std::filesystem::remove_all(folder);
  ASSERT_TRUE(window.newProject(folder).ok());
  importAndWait(window, paths);
}

/// A key as a person presses it. No window manager runs under Xvfb, so nothing activates the
/// window after a dialog or popup: window shortcuts need it made active by hand.
inline void press(ui::MainWindow& window, Qt::Key key, Qt::KeyboardModifiers modifiers = Qt::NoModifier) {
  QApplication::setActiveWindow(&window);
  QTest::keyClick(&window, key, modifiers);
  processEvents();
}

/// The case's image-level labels (sorted), or none when they cannot be read.
inline std::vector<std::string> labelsOf(const project::ProjectStore& store, project::CaseId id) {
  auto labels = store.labels(id);
  return labels ? labels.value() : std::vector<std::string>{};
}

}  // namespace meridian::testsupport
