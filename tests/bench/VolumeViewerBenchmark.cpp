// Volume viewer frame times at 1920x1080 (run it under Xvfb or on a desktop):
//   xvfb-run -a -s "-screen 0 1920x1080x24" build/bin/bench_volume_viewer [--frames N] [--size 1920x1080]
//       [--times FILE] [--only volume|2d] [--shots DIR] [--reduction 1..4]
// 1. scripted scroll through a 300-slice CT in the axial plane (crosshair linked, so the
//    coronal and sagittal crosshair lines move too), one wheel step (one slice) per frame;
// 2. a window/level drag: right-button mouse moves sent to the axial plane, all three
//    planes re-windowed per frame;
// 3. the 2D viewer panned (middle-button drag) over the fundus photograph, window-sized.
// A frame is: the state change, the viewer's refresh, Qt delivering the paint (VTK renders,
// Qt presents the window), glFinish and an X round trip. The demo CT has 256 slices; the 300-slice volume
// repeats its first 44 slices after the last (same anatomy, same memory layout). The peer,
// bench_vtk_mpr, draws the same MPR in bare VTK; volume_viewer_peer.py alternates the two.
// --shots DIR saves the window in the middle of the scroll and of the drag, and after each
// (PNG), to look at the frames drawn while the user interacts and at rest (VtkRenderWidget.hpp).
// --reduction sets the planes' size reduction while interacting (the viewers/interactionReduction
// setting; 1 = every frame at full size, to see what the reduction buys).
// Reports p50/p99 against the 16.7 ms (60 Hz) goal. Xvfb renders with Mesa's llvmpipe
// (software), so these are CPU numbers.
#include <QApplication>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QWheelEvent>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <time.h>

#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>

// Under `valgrind --tool=callgrind` each measured run is dumped on its own (callgrind.out.PID.N,
// named after the run), so instruction counts per frame can be read without the set-up: they
// repeat on a loaded machine where wall times do not. Outside valgrind the macros do nothing.
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define BENCH_PHASE_START() CALLGRIND_ZERO_STATS
#define BENCH_PHASE_END(name) CALLGRIND_DUMP_STATS_AT(name)
#else
#define BENCH_PHASE_START()
#define BENCH_PHASE_END(name)
#endif

#include "../ui/VolumeTestSupport.hpp"
#include "BenchTiming.hpp"
#include "FrameSync.hpp"
#include "VolumeBenchSupport.hpp"
#include "meridian/io/ReaderRegistry.hpp"
#include "meridian/viewers/ImageViewer2D.hpp"
#include "meridian/viewers/MprPlaneView.hpp"
#include "meridian/viewers/VolumeViewer.hpp"
#include "meridian/viewers/VtkRenderWidget.hpp"

namespace fs = std::filesystem;
using namespace meridian;
using bench::finishGl;
using bench::syncX;
using Clock = std::chrono::steady_clock;

namespace {

using bench::percentile;

// Counts VTK renders of widgets and times them (vtkRenderWindow::Render inside paintGL), to
// check that each measured frame really drew and to split VTK's share from Qt's composition.
struct RenderCounter {
  int count = 0;
  double ms = 0;  // summed since the last reset
  Clock::time_point started;
  void attach(viewers::VtkRenderWidget* widget) {
    widget->renderWindow()->AddObserver(vtkCommand::StartEvent, this, &RenderCounter::onStart);
    widget->renderWindow()->AddObserver(vtkCommand::EndEvent, this, &RenderCounter::onEnd);
  }
  void onStart(vtkObject*, unsigned long, void*) { started = Clock::now(); }
  void onEnd(vtkObject*, unsigned long, void*) {
    ++count;
    ms += std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  }
};

// CPU time of the whole process (the UI thread and llvmpipe's rasteriser threads; not the X
// server's), in ms: steadier than wall time on a shared machine, where a frame may wait for a core.
double processCpuMs() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

void report(const char* what, const std::vector<double>& ms, const std::vector<double>& vtkMs, int renders,
            double cpuMs) {
  std::printf("%-34s frames %4zu  renders %4d  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  (goal p99 < 16.7 ms: %s)\n",
              what, ms.size(), renders, percentile(ms, 50), percentile(ms, 99), *std::max_element(ms.begin(), ms.end()),
              percentile(ms, 99) < 16.7 ? "met" : "NOT met");
  std::printf("%-34s of which VTK Render(): p50 %7.2f ms  p99 %7.2f ms; the rest is Qt's paint and composition\n", "",
              percentile(vtkMs, 50), percentile(vtkMs, 99));
  std::printf("%-34s process CPU per frame (all threads, not the X server's): %7.2f ms\n", "",
              cpuMs / static_cast<double>(ms.size()));
}

// The volume viewer's scroll and window/level drag; 0 when both ran.
int volumeRuns(int frames, int width, int height, bench::FrameLog& log, const std::string& shots) {
  const auto shoot = [&shots](QWidget& window, const char* name) {
    if (!shots.empty()) window.grab().save(QString::fromStdString((fs::path(shots) / name).string()));
  };
  auto volume = bench::repeatedCt(MERIDIAN_BENCH_DEMO_DATA, 300);
  if (!volume) {
    std::fprintf(stderr, "bench_volume_viewer: %s\n", volume.error().message.c_str());
    return 1;
  }
  viewers::VolumeViewer viewer;
  if (auto status = viewer.setVolume(volume.value()); !status) {
    std::fprintf(stderr, "bench_volume_viewer: %s\n", status.error().message.c_str());
    return 1;
  }
  if (!testsupport::showExposed(viewer, width, height)) {
    std::fprintf(stderr, "bench_volume_viewer: window not exposed (no X server?)\n");
    return 1;
  }
  auto* axial = viewer.planeView(viewers::Plane::Axial);
  std::printf("volume %dx%dx%d (demo CT, 256 slices, repeated to 300); window %dx%d; axial plane %dx%d px; %s\n",
              volume.value()->size()[0], volume.value()->size()[1], volume.value()->size()[2], viewer.width(),
              viewer.height(), axial->width(), axial->height(),
              reinterpret_cast<const char*>(axial->context()->functions()->glGetString(GL_RENDERER)));

  RenderCounter axialRenders, allRenders, renders3D;
  axialRenders.attach(axial);
  renders3D.attach(viewer.view3D());
  for (auto plane : viewers::kPlanes) allRenders.attach(viewer.planeView(plane));

  // 1. Scroll: slice 0 -> 299 and back, one slice per frame, by wheel steps over the axial
  // plane as a user scrolls (so the viewer sees a scroll in progress, as with a real wheel).
  auto& state = viewer.state();
  state.setSliceIndex(viewers::Plane::Axial, 1);
  state.scroll(viewers::Plane::Axial, 1);  // which way a wheel step turns the slice index
  const int wheelSign = state.sliceIndex(viewers::Plane::Axial) > 1 ? 1 : -1;
  state.setSliceIndex(viewers::Plane::Axial, 0);
  viewer.refresh();
  testsupport::processEvents();
  const QPointF middle(axial->width() / 2.0, axial->height() / 2.0);
  std::vector<double> scroll, scrollVtk;
  int scrollReduced = 0;  // frames drawn reduced (an interaction in progress, VtkRenderWidget.hpp)
  axialRenders.count = 0;
  BENCH_PHASE_START();
  double cpu0 = processCpuMs();
  for (int f = 0; f < frames; ++f) {
    const int k = bench::scrollSlice(f, 300);
    axialRenders.ms = 0;
    const auto t0 = Clock::now();
    const int notches = (k - state.sliceIndex(viewers::Plane::Axial)) * wheelSign;
    QWheelEvent wheel(middle, axial->mapToGlobal(middle), QPoint(), QPoint(0, 120 * notches), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(axial, &wheel);
    QApplication::processEvents();
    finishGl(axial);
    syncX();
    scroll.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    scrollVtk.push_back(axialRenders.ms);
    scrollReduced += axial->frameReduced();
    if (f == frames / 2) shoot(viewer, "scroll-during.png");
  }
  BENCH_PHASE_END("scroll");
  report("axial scroll (1 slice/frame)", scroll, scrollVtk, axialRenders.count, processCpuMs() - cpu0);
  if (!shots.empty()) {
    // After the pause that ends a scroll, the plane is drawn at full size again.
    QElapsedTimer pause;
    pause.start();
    while (pause.elapsed() < 400) QApplication::processEvents(QEventLoop::AllEvents, 20);
    shoot(viewer, "scroll-after.png");
  }
  std::printf("%-34s frames drawn reduced while scrolling: %d of %d (1/%d size in each direction)\n", "",
              scrollReduced, frames, viewers::VtkRenderWidget::interactionReduction());
  log.add("scroll", scroll);

  // 2. Window/level: right-drag on the axial plane, 2 px per move, back and forth.
  const QPointF start(axial->width() / 2.0, axial->height() / 2.0);
  QMouseEvent press(QEvent::MouseButtonPress, start, axial->mapToGlobal(start), Qt::RightButton, Qt::RightButton,
                    Qt::NoModifier);
  QApplication::sendEvent(axial, &press);
  std::vector<double> drag, dragVtk;
  int dragReduced = 0;
  allRenders.count = 0;
  QPointF at = start;
  BENCH_PHASE_START();
  cpu0 = processCpuMs();
  for (int f = 0; f < frames; ++f) {
    const auto [dx, dy] = bench::dragStep(f);
    at += QPointF(dx, dy);
    allRenders.ms = 0;
    const auto t0 = Clock::now();
    QMouseEvent move(QEvent::MouseMove, at, axial->mapToGlobal(at), Qt::NoButton, Qt::RightButton, Qt::NoModifier);
    QApplication::sendEvent(axial, &move);
    QApplication::processEvents();
    for (auto plane : viewers::kPlanes) finishGl(viewer.planeView(plane));
    syncX();
    drag.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    dragVtk.push_back(allRenders.ms);
    for (auto plane : viewers::kPlanes) dragReduced += viewer.planeView(plane)->frameReduced();
  }
  shoot(viewer, "drag-during.png");
  BENCH_PHASE_END("window-level");
  const double dragCpu = processCpuMs() - cpu0;
  QMouseEvent release(QEvent::MouseButtonRelease, at, axial->mapToGlobal(at), Qt::RightButton, Qt::NoButton,
                      Qt::NoModifier);
  QApplication::sendEvent(axial, &release);
  testsupport::processEvents();
  shoot(viewer, "drag-after.png");
  report("window/level drag (3 planes/frame)", drag, dragVtk, allRenders.count, dragCpu);
  std::printf("%-34s plane frames drawn reduced while dragging: %d of %d\n", "", dragReduced, 3 * frames);
  log.add("drag", drag);
  std::printf("3D view renders during both runs: %d (it does not depend on slice or window)\n", renders3D.count);
  return 0;
}

// The 2D viewer panned by a middle-button drag over a window-sized photograph.
std::vector<double> pan2D(int frames, int width, int height) {
  auto opened = io::ReaderRegistry::builtin().open(fs::path(MERIDIAN_BENCH_DEMO_DATA) / "fundus-retina.jpg");
  if (!opened || !std::holds_alternative<core::Image2D>(opened.value().content)) {
    std::fprintf(stderr, "bench_volume_viewer: no fundus-retina.jpg in the demo data\n");
    return {};
  }
  viewers::ImageViewer2D viewer;
  viewer.setImage(std::get<core::Image2D>(opened.value().content));
  if (!testsupport::showExposed(viewer, width, height)) return {};
  RenderCounter renders;
  renders.attach(&viewer);
  const QPointF start(viewer.width() / 2.0, viewer.height() / 2.0);
  QMouseEvent press(QEvent::MouseButtonPress, start, viewer.mapToGlobal(start), Qt::MiddleButton, Qt::MiddleButton,
                    Qt::NoModifier);
  QApplication::sendEvent(&viewer, &press);
  std::vector<double> ms;
  QPointF at = start;
  BENCH_PHASE_START();
  for (int f = 0; f < frames; ++f) {
    const auto [dx, dy] = bench::dragStep(f);
    at += QPointF(dx, dy);
    const auto t0 = Clock::now();
    QMouseEvent move(QEvent::MouseMove, at, viewer.mapToGlobal(at), Qt::NoButton, Qt::MiddleButton, Qt::NoModifier);
    QApplication::sendEvent(&viewer, &move);
    QApplication::processEvents();
    finishGl(&viewer);
    syncX();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  BENCH_PHASE_END("pan2d");
  QMouseEvent release(QEvent::MouseButtonRelease, at, viewer.mapToGlobal(at), Qt::MiddleButton, Qt::NoButton,
                      Qt::NoModifier);
  QApplication::sendEvent(&viewer, &release);
  std::printf("2D pan: %d VTK renders in %d frames\n", renders.count, frames);
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  int frames = 300, width = 1920, height = 1080;
  std::string timesPath, only, shots;
  for (int i = 1; i + 1 < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--frames") frames = std::max(10, std::atoi(argv[i + 1]));
    if (arg == "--size" && std::sscanf(argv[i + 1], "%dx%d", &width, &height) != 2) {
      std::fprintf(stderr, "bench_volume_viewer: --size wants WIDTHxHEIGHT\n");
      return 2;
    }
    if (arg == "--times") timesPath = argv[i + 1];
    if (arg == "--only") only = argv[i + 1];
    if (arg == "--shots") shots = argv[i + 1];
    if (arg == "--reduction") viewers::VtkRenderWidget::setInteractionReduction(std::atoi(argv[i + 1]));
  }
  viewers::VtkRenderWidget::setDefaultSurfaceFormat();
  QApplication app(argc, argv);
  bench::FrameLog log(timesPath);
  std::printf("bench_volume_viewer: load %s\n", bench::loadAverage().c_str());
  if (only != "2d") {
    if (int status = volumeRuns(frames, width, height, log, shots); status != 0) return status;
  }
  if (only != "volume") {
    const auto pan = pan2D(frames, width, height);
    if (pan.empty()) return 1;
    bench::reportFrames("2D viewer pan (middle drag)", pan);
    log.add("pan2d", pan);
  }
  return 0;
}
