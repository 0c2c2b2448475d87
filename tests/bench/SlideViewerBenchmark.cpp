// The slide viewer at 1920x1080: a scripted pan/zoom (wheel-style zoom in towards level 0,
// a long pan, zoom out) timed frame by frame, and the time to fill the field of view after a
// jump, with a cold cache (slide reopened, empty tile cache) and a warm one (every tile of
// the script already cached). Medians over several runs. Not a test: run it under a display
// (xvfb-run for the software path) and read the numbers.
//
//   xvfb-run -a -s "-screen 0 1920x1080x24" build/bin/bench_slide_viewer [SLIDE] [runs=5]

#include <QApplication>
#include <QElapsedTimer>
#include <QWindow>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "meridian/io/ReaderRegistry.hpp"
#include "meridian/viewers/SlideViewer.hpp"

using namespace meridian;

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * (v.size() - 1) + 0.5))];
}

double median(std::vector<double> v) {
  return percentile(std::move(v), 0.5);
}

std::shared_ptr<core::SlideSource> openSlide(const std::string& path) {
  auto opened = io::ReaderRegistry::builtin().open(path);
  if (!opened || opened.value().kind() != io::ImageKind::Slide) return nullptr;
  return std::get<std::shared_ptr<core::SlideSource>>(opened.value().content);
}

void waitForFieldOfView(viewers::SlideViewer& viewer) {
  if (!viewer.waitForFieldOfView(30000)) {
    std::fprintf(stderr, "bench_slide_viewer: the field of view did not fill within 30 s\n");
    std::exit(2);
  }
}

// repaint() of a window the X server has not mapped yet paints nothing: wait for it.
void waitForExposure(QWidget& widget) {
  const auto t0 = Clock::now();
  while (!(widget.windowHandle() && widget.windowHandle()->isExposed()) && msSince(t0) < 10000)
    QApplication::processEvents(QEventLoop::AllEvents, 20);
  if (!widget.windowHandle() || !widget.windowHandle()->isExposed()) {
    std::fprintf(stderr, "bench_slide_viewer: the window was never exposed (no display?)\n");
    std::exit(2);
  }
}

// The script: 16 wheel notches in about a point, 60 drags of 40 px, 16 notches out.
using Step = std::function<void(viewers::SlideViewer&)>;
std::vector<Step> script() {
  std::vector<Step> steps;
  for (int i = 0; i < 16; ++i) steps.push_back([](viewers::SlideViewer& v) { v.zoomAbout(1.2, {700, 450}); });
  for (int i = 0; i < 60; ++i)
    steps.push_back([i](viewers::SlideViewer& v) { v.panBy({-40.0, i < 30 ? 12.0 : -12.0}); });
  for (int i = 0; i < 16; ++i) steps.push_back([](viewers::SlideViewer& v) { v.zoomAbout(1 / 1.2, {960, 540}); });
  return steps;
}

// Frame times (ms) of the script: each step moves the view and repaints at once (what a
// mouse event does); tiles that arrive between frames are taken in, never waited for.
// With `settle`, waits for each field of view first (to warm the cache) and times nothing.
std::vector<double> runScript(viewers::SlideViewer& viewer, bool settle) {
  std::vector<double> frames;
  viewer.resetView();
  for (const auto& step : script()) {
    step(viewer);
    if (settle) {
      waitForFieldOfView(viewer);
      continue;
    }
    const auto painted = viewer.framesPainted();
    const auto t0 = Clock::now();
    viewer.repaint();
    frames.push_back(msSince(t0));
    if (viewer.framesPainted() != painted + 1) {
      std::fprintf(stderr, "bench_slide_viewer: repaint() drew no frame\n");
      std::exit(2);
    }
    QApplication::processEvents();
  }
  return frames;
}

// Jumps across the slide: time from setView until the field of view is complete and painted.
std::vector<double> fillTimes(viewers::SlideViewer& viewer) {
  const auto& l0 = viewer.slide()->levels().front();
  const double w = static_cast<double>(l0.width), h = static_cast<double>(l0.height);
  const std::vector<std::array<double, 3>> views = {{1.0, 0.25 * w, 0.3 * h},
                                                    {1.0, 0.7 * w, 0.6 * h},
                                                    {0.5, 0.4 * w, 0.75 * h},
                                                    {0.3, 0.6 * w, 0.3 * h},
                                                    {2.0, 0.5 * w, 0.5 * h}};
  std::vector<double> times;
  for (const auto& v : views) {
    const auto t0 = Clock::now();
    viewer.setView(v[0], v[1], v[2]);
    waitForFieldOfView(viewer);
    viewer.repaint();
    times.push_back(msSince(t0));
  }
  return times;
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  const std::string path =
      argc > 1 && argv[1][0] ? argv[1] : std::string(MERIDIAN_BENCH_DEMO_DATA) + "/pathology-ihc-slide.tif";
  const int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  if (!openSlide(path)) {
    std::fprintf(stderr, "bench_slide_viewer: %s is not a slide\n", path.c_str());
    return 1;
  }
  std::vector<double> coldP50, coldP99, warmP50, warmP99, coldFill, warmFill;
  int threads = 0;
  for (int run = 0; run < runs; ++run) {
    // Cold: a fresh viewer and a freshly opened slide (OpenSlide's own cache empty too;
    // the file itself is in the OS page cache after the first run).
    viewers::SlideViewer viewer;
    viewer.resize(1920, 1080);
    viewer.show();
    waitForExposure(viewer);
    viewer.setSlide(openSlide(path));
    threads = viewer.loader().threadCount();
    waitForFieldOfView(viewer);  // the fitted overview: the start of every session
    const auto cold = runScript(viewer, false);
    coldP50.push_back(percentile(cold, 0.5));
    coldP99.push_back(percentile(cold, 0.99));

    viewers::SlideViewer fresh;  // the fill-time jumps, cold, on their own viewer
    fresh.resize(1920, 1080);
    fresh.show();
    waitForExposure(fresh);
    fresh.setSlide(openSlide(path));
    waitForFieldOfView(fresh);
    coldFill.push_back(median(fillTimes(fresh)));
    warmFill.push_back(median(fillTimes(fresh)));  // the same jumps again: every tile cached

    (void)runScript(viewer, true);  // warm the cache along the script's path
    const auto warm = runScript(viewer, false);
    warmP50.push_back(percentile(warm, 0.5));
    warmP99.push_back(percentile(warm, 0.99));
  }
  std::printf("slide viewer, 1920x1080, %s, %d loader threads, medians of %d runs\n", path.c_str(), threads, runs);
  std::printf("scripted pan/zoom (%zu frames)  cold cache: frame p50 %6.2f ms  p99 %6.2f ms\n", script().size(),
              median(coldP50), median(coldP99));
  std::printf("                                warm cache: frame p50 %6.2f ms  p99 %6.2f ms\n", median(warmP50),
              median(warmP99));
  std::printf("field-of-view fill after a jump  cold cache: %7.1f ms   warm cache: %6.1f ms (goal < 100 ms)\n",
              median(coldFill), median(warmFill));
  return 0;
}
