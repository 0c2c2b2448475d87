// Issue 11's speed goals in the window, after the model is loaded, with the bundled model:
//  1. a click on "Run on case" with a 2D image on screen (the demo fundus photograph) until
//     its label is in the results table and its attention map is on the viewer (goal <= 1 s;
//     p50/p95 of RUNS clicks; the label's time is printed apart);
//  2. a click on "Run on case" with the demo whole slide on screen until the first heatmap
//     patches are drawn on the slide viewer (goal < 2 s; median of 3, each job cancelled then);
//  3. the slide viewer's pan frame times (p50/p99) with no job, then with the whole-slide job
//     running (goal: interactive frame rates while a job runs).
// Beside each, in the same run, the peer: the same model-service calls made directly, with no
// window (ModelService::predict + explain on a project of its own; predict's first growing
// heatmap for the slide). The ratio window / peer is what the window adds to the model's work.
// Not a test (timings decide nothing): run it under a display and read the numbers.
//
//   xvfb-run -a -s "-screen 0 1920x1080x24" build/bin/bench_model_panel [runs=20]

#include <QApplication>
#include <QElapsedTimer>
#include <QPushButton>
#include <QTest>
#include <QWindow>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "BenchTiming.hpp"
#include "meridian/project/ProjectImport.hpp"
#include "meridian/project/ProjectStore.hpp"
#include "meridian/service/BundledModel.hpp"
#include "meridian/service/ModelService.hpp"
#include "meridian/service/ModelServiceLoader.hpp"
#include "meridian/ui/CaseBrowser.hpp"
#include "meridian/ui/CaseFileChecks.hpp"
#include "meridian/ui/JobsPanel.hpp"
#include "meridian/ui/MainWindow.hpp"
#include "meridian/ui/ModelPanel.hpp"
#include "meridian/viewers/ImageViewer2D.hpp"
#include "meridian/viewers/SlideViewer.hpp"

namespace fs = std::filesystem;
using namespace meridian;
using Clock = std::chrono::steady_clock;

namespace {

const fs::path kDemo = MERIDIAN_BENCH_DEMO_DATA;
const fs::path kOut = MERIDIAN_BENCH_OUTPUT;
constexpr int kPanFrames = 240;  // p99 of 240 frames: the 3rd-worst frame

double msSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5))];
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "bench_model_panel: %s\n", what.c_str());
  std::exit(2);
}

void waitUntil(const std::function<bool()>& done, const char* what, int timeoutMs = 300000) {
  QElapsedTimer clock;
  clock.start();
  while (!done()) {
    if (clock.elapsed() > timeoutMs) die(std::string("timed out waiting for ") + what);
    QApplication::processEvents(QEventLoop::AllEvents, 1);
  }
}

void waitForJobEnd(ui::ModelPanel& panel, const core::Result<core::JobId>& started, const char* what) {
  if (!started) die(std::string(what) + ": " + started.error().message);
  waitUntil([&] { return !panel.busy(); }, what);
  if (!panel.problem().isEmpty()) die(std::string(what) + ": " + panel.problem().toStdString());
}

project::PredictionId latestPrediction(const ui::ModelPanel& panel, project::CaseId id) {
  for (const auto& row : panel.rows())
    if (row.caseId == id) return row.prediction.predictionId;
  return 0;
}

std::string stats(const std::vector<double>& ms) {
  char text[96];
  std::snprintf(text, sizeof text, "p50 %.0f ms, p95 %.0f ms", percentile(ms, 0.5), percentile(ms, 0.95));
  return text;
}

/// The peer: the model service's own calls, no window, on a project of its own.
struct Peer {
  std::unique_ptr<service::ModelService> service;
  std::unique_ptr<project::ProjectStore> store;
  project::CaseId image = 0, slide = 0;

  Peer() {
    const fs::path folder = kOut / "model-panel-peer-project";
    fs::remove_all(folder);
    auto made = project::ProjectStore::create(folder);
    if (!made) die(made.error().message);
    store = std::move(made).value();
    if (auto imported = project::importIntoProject(*store, {kDemo / "fundus-retina.jpg", kDemo / "pathology-ihc-slide.tif"});
        !imported)
      die(imported.error().message);
    for (const auto& c : store->listCases().value()) (c.kind == project::CaseKind::Slide ? slide : image) = c.id;
    auto created = service::createModelService();
    if (!created) die(created.error().message);
    service = std::move(created).value();
    if (auto loaded = service->loadModel(*service::bundledModelFolder(), {}); !loaded) die(loaded.error().message);
  }

  /// predict then explain (CLS attention, mean of heads): the work behind one click.
  double imageRun(double* labelMs) {
    const auto t0 = Clock::now();
    service::PredictRequest predict;
    predict.cases = {image};
    auto p = service->predict(*store, predict, core::JobControl());
    if (!p || p.value().done.empty()) die("peer predict failed");
    *labelMs = msSince(t0);
    service::ExplainRequest explain;
    explain.caseId = image;
    if (auto e = service->explain(*store, explain, core::JobControl()); !e) die(e.error().message);
    return msSince(t0);
  }

  double slideFirstPatches() {
    core::JobControl job;
    const auto t0 = Clock::now();
    double first = -1;
    service::PredictCallbacks callbacks;
    callbacks.mapGrew = [&](project::CaseId, const fs::path&, std::size_t, std::size_t) {
      if (first < 0) first = msSince(t0);
      job.cancel();
    };
    service::PredictRequest predict;
    predict.cases = {slide};
    (void)service->predict(*store, predict, job, callbacks);  // ends Cancelled after the first patches
    if (first < 0) die("the peer's slide job wrote no heatmap");
    return first;
  }
};

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 20;
  std::printf("bench_model_panel: bundled model, %d runs, load average %s\n", runs, bench::loadAverage().c_str());

  ui::MainWindow window;
  window.resize(1600, 1000);
  window.show();
  waitUntil([&] { return window.windowHandle() && window.windowHandle()->isExposed(); }, "the window to show", 20000);
  const fs::path folder = kOut / "model-panel-project";
  fs::remove_all(folder);
  if (auto made = window.newProject(folder); !made) die(made.error().message);
  auto imported = window.caseBrowser()->addPaths({kDemo / "fundus-retina.jpg", kDemo / "pathology-ihc-slide.tif"});
  if (!imported) die(imported.error().message);
  waitUntil([&] { return window.caseBrowser()->order().size() == 2; }, "the import");
  // The import's follow-up jobs (thumbnails, file checks) take the job workers first: wait for
  // them, so the timings below are the model's jobs alone.
  waitUntil([&] { return window.caseBrowser()->thumbnailsShown() == 2 && window.caseBrowser()->fileChecks().done(); },
            "the thumbnails and file checks");
  project::CaseId image = 0, slide = 0;
  for (const auto id : window.caseBrowser()->order())
    (window.caseBrowser()->store()->getCase(id).value().kind == project::CaseKind::Slide ? slide : image) = id;

  ui::ModelPanel& panel = *window.modelPanel();
  panel.show();
  panel.raise();
  waitForJobEnd(panel, panel.loadModel(*service::bundledModelFolder()), "loading the model");
  auto* run = panel.findChild<QPushButton*>(QStringLiteral("runCaseButton"));
  if (!run) die("no Run on case button");

  // 1. Click -> label + map, 2D image. One click first, not counted (the image's first read).
  window.caseBrowser()->selectCase(image);
  waitUntil([&] { return window.currentViewerKind() == viewers::ViewerKind::Image2D; }, "the image on screen");
  std::vector<double> total, label;
  for (int i = -1; i < runs; ++i) {
    window.viewer()->clearHeatmap();
    const auto before = latestPrediction(panel, image);
    double labelAt = -1;
    const auto t0 = Clock::now();
    QTest::mouseClick(run, Qt::LeftButton);
    waitUntil([&] {
      if (labelAt < 0 && latestPrediction(panel, image) != before) labelAt = msSince(t0);
      return labelAt >= 0 && window.viewer()->heatmap().hasMap();
    }, "label and map");
    window.viewer()->repaint();  // drawn, not only set
    const double ms = msSince(t0);
    waitUntil([&] { return !panel.busy(); }, "the job's end");
    if (i < 0) continue;
    total.push_back(ms);
    label.push_back(labelAt);
  }

  // 2. Click -> first heatmap patches on the demo slide; the job is cancelled once they show.
  std::vector<double> slideMs;
  for (int i = 0; i < 3; ++i) {
    window.caseBrowser()->selectCase(image);
    window.caseBrowser()->selectCase(slide);  // reopening the slide clears its heatmap
    waitUntil([&] { return window.currentViewerKind() == viewers::ViewerKind::Slide; }, "the slide on screen");
    (void)window.slideViewer()->waitForFieldOfView();
    const auto t0 = Clock::now();
    auto started = panel.runOnCurrentCase();
    if (!started) die(started.error().message);
    waitUntil([&] { return window.slideViewer()->heatmap().hasMap(); }, "the first heatmap patches");
    window.slideViewer()->repaint();
    slideMs.push_back(msSince(t0));
    window.jobsPanel()->cancel(started.value());
    waitUntil([&] { return !panel.busy(); }, "the cancelled slide job");
  }

  // 3. The slide viewer's pan while no job runs, then while a whole-slide job runs (the job
  // cancelled after the pan). Each frame: one 40 px drag step, repaint(), and the events that
  // came meanwhile (tiles, the growing heatmap): what a person dragging waits for per step.
  window.caseBrowser()->selectCase(image);
  window.caseBrowser()->selectCase(slide);
  waitUntil([&] { return window.currentViewerKind() == viewers::ViewerKind::Slide; }, "the slide on screen");
  viewers::SlideViewer& slideViewer = *window.slideViewer();
  const auto pan = [&](std::vector<double>& frames) {
    slideViewer.resetView();
    slideViewer.zoomAbout(4.0, {700, 450});
    (void)slideViewer.waitForFieldOfView();
    for (int i = 0; i < kPanFrames; ++i) {
      const auto t0 = Clock::now();
      slideViewer.panBy({i % 60 < 30 ? -40.0 : 40.0, i % 20 < 10 ? 12.0 : -12.0});
      slideViewer.repaint();
      QApplication::processEvents();
      frames.push_back(msSince(t0));
    }
  };
  std::vector<double> panIdle, panBusy;
  pan(panIdle);
  auto slideJob = panel.runOnCurrentCase();
  if (!slideJob) die(slideJob.error().message);
  waitUntil([&] { return window.slideViewer()->heatmap().hasMap(); }, "the slide job's first patches");
  pan(panBusy);
  const bool stillRunning = panel.busy();
  window.jobsPanel()->cancel(slideJob.value());
  waitUntil([&] { return !panel.busy(); }, "the cancelled slide job");

  // The peer, same machine, same moment.
  Peer peer;
  std::vector<double> peerTotal, peerLabel, peerSlide;
  double warm = 0;
  (void)peer.imageRun(&warm);
  for (int i = 0; i < runs; ++i) {
    double l = 0;
    peerTotal.push_back(peer.imageRun(&l));
    peerLabel.push_back(l);
  }
  for (int i = 0; i < 3; ++i) peerSlide.push_back(peer.slideFirstPatches());

  std::printf("2D click -> label + map on screen (fundus, %d runs): %s (label alone: %s)\n", runs, stats(total).c_str(),
              stats(label).c_str());
  std::printf("  peer, ModelService::predict + explain, no window: %s (predict alone: %s); window/peer p50 %.2f\n",
              stats(peerTotal).c_str(), stats(peerLabel).c_str(), percentile(total, 0.5) / percentile(peerTotal, 0.5));
  std::printf("slide click -> first heatmap patches drawn (demo slide, 3 runs): median %.0f ms\n", percentile(slideMs, 0.5));
  std::printf("  peer, ModelService::predict to its first heatmap write: median %.0f ms; window/peer %.2f\n",
              percentile(peerSlide, 0.5), percentile(slideMs, 0.5) / percentile(peerSlide, 0.5));
  std::printf("slide viewer pan, %d frames (drag step + repaint + pending events): no job p50 %.1f ms p99 %.1f ms; "
              "whole-slide job running%s p50 %.1f ms p99 %.1f ms\n",
              kPanFrames, percentile(panIdle, 0.5), percentile(panIdle, 0.99), stillRunning ? "" : " (it ended during the pan)",
              percentile(panBusy, 0.5), percentile(panBusy, 0.99));
  std::printf("load average after: %s\n", bench::loadAverage().c_str());
  return 0;
}
