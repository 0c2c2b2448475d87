// Volume viewer frame times at 1920x1080 (run it under Xvfb or on a desktop):
//   xvfb-run -a -s "-screen 0 1920x1080x24" build/bin/bench_volume_viewer [--frames N] [--size 1920x1080]
// 1. scripted scroll through a 300-slice CT in the axial plane (crosshair linked, so the
//    coronal and sagittal crosshair lines move too), one slice per frame;
// 2. a window/level drag: right-button mouse moves sent to the axial plane, all three
//    planes re-windowed per frame.
// A frame is: the state change, the viewer's refresh, Qt delivering the paint (VTK renders in
// paintGL, Qt composes the window) and glFinish. The demo CT has 256 slices; the 300-slice
// volume repeats its first 44 slices after the last (same anatomy, same memory layout).
// Reports p50/p99 against the 16.7 ms (60 Hz) goal. Xvfb renders with Mesa's llvmpipe
// (software), so these are CPU numbers.

#include <QApplication>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLFunctions>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>

#include "../ui/VolumeTestSupport.hpp"
#include "meridian/io/ReaderRegistry.hpp"
#include "meridian/viewers/MprPlaneView.hpp"
#include "meridian/viewers/VolumeViewer.hpp"
#include "meridian/viewers/VtkRenderWidget.hpp"

namespace fs = std::filesystem;
using namespace meridian;
using Clock = std::chrono::steady_clock;

namespace {

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const std::size_t at = std::min(values.size() - 1, static_cast<std::size_t>(p / 100.0 * (values.size() - 1) + 0.5));
  return values[at];
}

// The demo CT stretched to `slices` axial slices by repeating it from its first slice.
core::Result<std::shared_ptr<core::Volume>> repeatedCt(int slices) {
  auto opened = io::ReaderRegistry::builtin().open(fs::path(MERIDIAN_BENCH_DEMO_DATA) / "ct-abdomen-stent.nii.gz");
  if (!opened) return opened.error();
  const auto& ct = std::get<core::Volume>(opened.value().content);
  auto out = core::Volume::allocate({ct.size()[0], ct.size()[1], slices}, ct.pixelType());
  if (!out) return out.error();
  const std::size_t sliceBytes = ct.sizeInBytes() / ct.size()[2];
  for (int k = 0; k < slices; ++k)
    std::memcpy(out.value().data() + k * sliceBytes, ct.data() + (k % ct.size()[2]) * sliceBytes, sliceBytes);
  out.value().spacing = ct.spacing;
  out.value().origin = ct.origin;
  out.value().direction = ct.direction;
  out.value().modality = ct.modality;
  return std::make_shared<core::Volume>(std::move(out).value());
}

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

void finishGl(viewers::VtkRenderWidget* widget) {
  widget->makeCurrent();
  widget->context()->functions()->glFinish();
  widget->doneCurrent();
}

void report(const char* what, const std::vector<double>& ms, const std::vector<double>& vtkMs, int renders) {
  std::printf("%-34s frames %4zu  renders %4d  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  (goal p99 < 16.7 ms: %s)\n",
              what, ms.size(), renders, percentile(ms, 50), percentile(ms, 99), *std::max_element(ms.begin(), ms.end()),
              percentile(ms, 99) < 16.7 ? "met" : "NOT met");
  std::printf("%-34s of which VTK Render(): p50 %7.2f ms  p99 %7.2f ms; the rest is Qt's paint and composition\n", "",
              percentile(vtkMs, 50), percentile(vtkMs, 99));
}

}  // namespace

int main(int argc, char** argv) {
  int frames = 300, width = 1920, height = 1080;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--frames") frames = std::max(10, std::atoi(argv[i + 1]));
    if (std::string(argv[i]) == "--size" && std::sscanf(argv[i + 1], "%dx%d", &width, &height) != 2) {
      std::fprintf(stderr, "bench_volume_viewer: --size wants WIDTHxHEIGHT\n");
      return 2;
    }
  }
  viewers::VtkRenderWidget::setDefaultSurfaceFormat();
  QApplication app(argc, argv);

  auto volume = repeatedCt(300);
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

  // 1. Scroll: slice 0 -> 299 and back, one slice per frame.
  auto& state = viewer.state();
  state.setSliceIndex(viewers::Plane::Axial, 0);
  viewer.refresh();
  testsupport::processEvents();
  std::vector<double> scroll, scrollVtk;
  axialRenders.count = 0;
  for (int f = 0; f < frames; ++f) {
    const int k = (f / 299) % 2 == 0 ? f % 299 + 1 : 299 - (f % 299 + 1);
    axialRenders.ms = 0;
    const auto t0 = Clock::now();
    state.setSliceIndex(viewers::Plane::Axial, k);
    viewer.refresh();
    QApplication::processEvents();
    finishGl(axial);
    scroll.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    scrollVtk.push_back(axialRenders.ms);
  }
  report("axial scroll (1 slice/frame)", scroll, scrollVtk, axialRenders.count);

  // 2. Window/level: right-drag on the axial plane, 2 px per move, back and forth.
  const QPointF start(axial->width() / 2.0, axial->height() / 2.0);
  QMouseEvent press(QEvent::MouseButtonPress, start, axial->mapToGlobal(start), Qt::RightButton, Qt::RightButton,
                    Qt::NoModifier);
  QApplication::sendEvent(axial, &press);
  std::vector<double> drag, dragVtk;
  allRenders.count = 0;
  QPointF at = start;
  for (int f = 0; f < frames; ++f) {
    at += QPointF((f / 50) % 2 == 0 ? 2 : -2, (f / 50) % 2 == 0 ? 1 : -1);
    allRenders.ms = 0;
    const auto t0 = Clock::now();
    QMouseEvent move(QEvent::MouseMove, at, axial->mapToGlobal(at), Qt::NoButton, Qt::RightButton, Qt::NoModifier);
    QApplication::sendEvent(axial, &move);
    QApplication::processEvents();
    for (auto plane : viewers::kPlanes) finishGl(viewer.planeView(plane));
    drag.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    dragVtk.push_back(allRenders.ms);
  }
  QMouseEvent release(QEvent::MouseButtonRelease, at, axial->mapToGlobal(at), Qt::RightButton, Qt::NoButton,
                      Qt::NoModifier);
  QApplication::sendEvent(axial, &release);
  report("window/level drag (3 planes/frame)", drag, dragVtk, allRenders.count);
  std::printf("3D view renders during both runs: %d (it does not depend on slice or window)\n", renders3D.count);
  return 0;
}
