// The window answers while a model job runs (issue 15): a 5 ms timer ticks in the window's own
// event loop while the bundled model runs on the demo CT through the volume pipeline (the job
// the Model dock's "Run on case" starts), and the longest gap between two ticks must stay
// under 250 ms -- a bound a loaded 2-core machine meets (the job's threads run at nice 10 and
// LibTorch/OpenBLAS leave the UI thread a core: Preferences' modelThreads), while the same job
// run on the UI thread stops the ticks for its whole length (seconds). p50, p99 and the
// longest gap are printed beside an idle baseline taken just before in the same window (the
// machine's load moves both). Screenshot: build/test-output/ui/responsiveness-model-job.png.

#include <gtest/gtest.h>

#include <QApplication>
#include <QEvent>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "VolumeTestSupport.hpp"
#include "meridian/service/BundledModel.hpp"
#include "meridian/ui/CaseBrowser.hpp"
#include "meridian/ui/JobsPanel.hpp"
#include "meridian/ui/MainWindow.hpp"
#include "meridian/ui/ModelPanel.hpp"

namespace fs = std::filesystem;
using namespace meridian;

namespace {
const fs::path kDemo = MERIDIAN_TEST_DEMO_DATA;
const fs::path kOut = MERIDIAN_TEST_OUTPUT;

bool waitUntil(const std::function<bool()>& done, int timeoutMs = 180000) {
  QElapsedTimer clock;
  clock.start();
  while (!done() && clock.elapsed() < timeoutMs) QApplication::processEvents(QEventLoop::AllEvents, 5);
  return done();
}

/// Gaps (ms) between ticks of a 5 ms timer in a real event loop (QEventLoop::exec, as the
/// window's own loop runs) from the first tick until `keepGoing` says stop; `start` runs from
/// that loop 20 ms in, so a start that blocks shows as a gap too.
struct Gaps {
  std::vector<double> ms;
  double quantile(double q) const {
    if (ms.empty()) return 0.0;
    std::vector<double> sorted = ms;
    std::sort(sorted.begin(), sorted.end());
    return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(q * static_cast<double>(sorted.size())))];
  }
  double longest() const { return ms.empty() ? 0.0 : *std::max_element(ms.begin(), ms.end()); }
  int over(double bound) const {
    return static_cast<int>(std::count_if(ms.begin(), ms.end(), [&](double g) { return g > bound; }));
  }
  std::string describe() const {
    return std::to_string(ms.size()) + " ticks, p50 " + std::to_string(quantile(0.5)) + " ms, p99 " +
           std::to_string(quantile(0.99)) + " ms, max " + std::to_string(longest()) + " ms, " + std::to_string(over(50)) +
           " over 50 ms";
  }
};

/// What the UI thread was delivering when it went quiet: an application-wide event filter
/// notes each event's receiver and type; a pause of over 50 ms between two deliveries is put
/// on the event delivered before it (a slow handler, a long paint). For a failure's message.
class Culprits : public QObject {
 public:
  Culprits() {
    clock_.start();
    qApp->installEventFilter(this);
  }
  ~Culprits() override { qApp->removeEventFilter(this); }
  std::string worst(std::size_t n = 5) const {
    auto sorted = found_;
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::string text;
    for (std::size_t i = 0; i < std::min(n, sorted.size()); ++i)
      text += "\n  " + std::to_string(sorted[i].first) + " ms after " + sorted[i].second;
    return text.empty() ? std::string(" none") : text;
  }

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override {
    const qint64 now = clock_.elapsed();
    if (now - last_ > 50) found_.emplace_back(now - last_, previous_);
    last_ = now;
    previous_ = std::string(watched->metaObject()->className()) + " '" + watched->objectName().toStdString() +
                "' event " + std::to_string(static_cast<int>(event->type()));
    return false;
  }

 private:
  QElapsedTimer clock_;
  qint64 last_ = 0;
  std::string previous_ = "(start)";
  std::vector<std::pair<qint64, std::string>> found_;
};

Gaps measure(const std::function<bool()>& keepGoing, const std::function<void()>& start = {}) {
  Gaps gaps;
  QElapsedTimer sinceTick;
  sinceTick.start();
  QTimer timer;
  timer.setTimerType(Qt::PreciseTimer);
  QObject::connect(&timer, &QTimer::timeout, [&] {
    gaps.ms.push_back(static_cast<double>(sinceTick.nsecsElapsed()) / 1e6);
    sinceTick.restart();
  });
  timer.start(5);
  if (start) QTimer::singleShot(20, start);
  QEventLoop loop;
  QTimer check;
  QObject::connect(&check, &QTimer::timeout, [&] {
    if (!keepGoing()) loop.quit();
  });
  check.start(1);
  loop.exec();
  if (!gaps.ms.empty()) gaps.ms.erase(gaps.ms.begin());  // from the timer's start, not a tick
  return gaps;
}

}  // namespace

TEST(Responsiveness, TheWindowAnswersWhileAModelJobRuns) {
  ui::MainWindow window;
  ASSERT_TRUE(testsupport::showExposed(window, 1400, 900));
  const fs::path folder = kOut / "responsiveness-model-project";
  fs::remove_all(folder);
  ASSERT_TRUE(window.newProject(folder).ok());
  auto import = window.caseBrowser()->addPaths({kDemo / "ct-abdomen-stent.nii.gz"});
  ASSERT_TRUE(import.ok());
  ASSERT_TRUE(waitUntil([&] { return window.caseBrowser()->order().size() == 1u; }));
  ui::ModelPanel* panel = window.modelPanel();
  panel->show();
  panel->raise();
  bool ended = false, ok = false;
  QObject::connect(panel, &ui::ModelPanel::jobEnded, [&](bool success) { ended = true, ok = success; });
  ASSERT_TRUE(panel->loadModel(*service::bundledModelFolder()));
  ASSERT_TRUE(waitUntil([&] { return ended; }));
  ASSERT_TRUE(ok) << panel->problem().toStdString();
  const project::CaseId id = window.caseBrowser()->order()[0];
  window.caseBrowser()->selectCase(id);  // the CT on screen: its planes repaint as the job's results arrive
  testsupport::processEvents();

  // Idle baseline, 2 s, same window.
  QElapsedTimer idleClock;
  idleClock.start();
  const Gaps idle = measure([&] { return idleClock.elapsed() < 2000; });

  ended = ok = false;
  QElapsedTimer jobClock;
  bool started = false;
  auto culprits = std::make_unique<Culprits>();
  const Gaps busy = measure([&] { return !started || !ended; },
                            [&] {
                              jobClock.start();
                              started = true;
                              ASSERT_TRUE(panel->runOnCurrentCase());
                            });
  const qint64 jobMs = jobClock.elapsed();
  const std::string pauses = culprits->worst();
  culprits.reset();
  ASSERT_TRUE(ok) << panel->problem().toStdString();
  std::cout << "responsiveness, model job (bundled model on the demo CT, volume pipeline, " << jobMs
            << " ms): " << busy.describe() << "; idle baseline 2 s: " << idle.describe()
            << "\nlongest pauses of the UI thread during the job (ms after the event it was delivering):" << pauses
            << "\n";
  {
    const fs::path file = kOut / "responsiveness-model-job.png";
    fs::create_directories(kOut);
    ASSERT_TRUE(window.grab().save(QString::fromStdString(file.string()), "PNG"));
    std::cout << "screenshot: " << file.string() << "\n";
  }
  // The job must last long enough that running it on the UI thread would show: at least twice
  // the 250 ms gap allowed below (since the oneDNN inference path the whole CT takes ~1 s).
  ASSERT_GT(jobMs, 500) << "the job was too quick to tell";
  EXPECT_GT(busy.ms.size(), 20u) << "the UI thread hardly turned while the job ran";
  EXPECT_LT(busy.longest(), 250.0) << "the UI thread was blocked " << busy.longest() << " ms while the job ran;"
                                   << " longest pauses:" << pauses;
}
