// Opening a real-size CT series in the window (issue 17, item 4): one run = one process, as a
// person starts `meridian --open FOLDER`. Run it under Xvfb, best through volume_open_peer.py,
// which alternates it with its bare-VTK peer (bench_vtk_open) and prints medians:
//   xvfb-run -a -s "-screen 0 1920x1080x24" build/bin/bench_volume_open SERIES_FOLDER [--size 1920x1080] [--smaps]
// The real MainWindow is shown and exposed first (start-up is issue 16's, not counted here);
// then MainWindow::open(FOLDER) -- the folder listed, the series read on a worker thread, the
// volume handed to the volume viewer -- and the event loop runs until
//   read     the series is read (ContentOpener::contentReplaced, emitted before the viewer
//            gets the volume),
//   planes   the axial, coronal and sagittal planes have each rendered a frame of the volume and
//            it is on the X server (glFinish, an X round trip),
//   full     the 3D view has rendered the volume too.
// Peak RSS is the process's VmHWM (/proc/self/status) at `planes` and at `full`; the voxel
// bytes are printed beside them (issue 17's goal: RSS <= 2.5x the voxel bytes); --smaps prints
// where the resident memory lies (by mapping) before the open, at the planes' frame and at the
// end. One line of
// JSON at the end carries the numbers for the driver.
#include <QApplication>
#include <QGuiApplication>
#include <QOpenGLContext>
#include <QOpenGLFunctions>

#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>

#include "../ui/VolumeTestSupport.hpp"
#include "BenchTiming.hpp"
#include "FrameSync.hpp"
#include "VolumeBenchSupport.hpp"
#include "meridian/core/Logging.hpp"
#include "meridian/ui/ContentOpener.hpp"
#include "meridian/ui/MainWindow.hpp"
#include "meridian/viewers/MprPlaneView.hpp"
#include "meridian/viewers/Volume3DView.hpp"
#include "meridian/viewers/VolumeViewer.hpp"
#include "meridian/viewers/VtkRenderWidget.hpp"

using namespace meridian;
using bench::finishGl;
using bench::syncX;
using Clock = std::chrono::steady_clock;

namespace {

// Counts the VTK renders of a view (vtkRenderWindow::Render's end); for the 3D view also those
// with the volume on its mapper.
struct Renders {
  int count = 0, volumeRenders = 0;
  viewers::Volume3DView* view3D = nullptr;
  void attach(viewers::VtkRenderWidget* widget) {
    widget->renderWindow()->AddObserver(vtkCommand::EndEvent, this, &Renders::onEnd);
  }
  void onEnd(vtkObject*, unsigned long, void*) {
    ++count;
    if (view3D && view3D->isReady()) ++volumeRenders;
  }
};

double secondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_volume_open SERIES_FOLDER [--size WxH]\n");
    return 2;
  }
  const std::filesystem::path folder = argv[1];
  int width = 1920, height = 1080;
  bool smaps = false;
  for (int i = 2; i < argc; ++i) {
    if (std::string(argv[i]) == "--smaps") smaps = true;
    if (i + 1 < argc && std::string(argv[i]) == "--size" && std::sscanf(argv[i + 1], "%dx%d", &width, &height) != 2)
      return 2;
  }
  (void)core::logging::initialize({});
  viewers::VtkRenderWidget::setDefaultSurfaceFormat();
  QApplication app(argc, argv);
  ui::MainWindow window;
  if (!testsupport::showExposed(window, width, height)) {
    std::fprintf(stderr, "bench_volume_open: window not exposed (no X server?)\n");
    return 1;
  }
  viewers::VolumeViewer* viewer = window.volumeViewer();
  Renders planes[3], view3D;
  for (int p = 0; p < 3; ++p) planes[p].attach(viewer->planeView(viewers::kPlanes[p]));
  view3D.view3D = viewer->view3D();
  view3D.attach(viewer->view3D());
  const double rssBefore = bench::procStatusMiB("VmRSS");
  if (smaps) bench::printResidentByMapping("before open");

  double readS = -1, hwmRead = -1;
  auto* opener = window.findChild<ui::ContentOpener*>();
  const auto t0 = Clock::now();
  if (opener)
    QObject::connect(opener, &ui::ContentOpener::contentReplaced, [&] {
      if (readS >= 0) return;
      readS = secondsSince(t0);
      hwmRead = bench::procStatusMiB("VmHWM");
    });
  if (auto status = window.open(folder); !status) {
    std::fprintf(stderr, "bench_volume_open: %s\n", status.error().message.c_str());
    return 1;
  }
  const double openReturnedS = secondsSince(t0);
  const auto planesDrawn = [&] { return planes[0].count > 0 && planes[1].count > 0 && planes[2].count > 0; };
  while (!planesDrawn() && secondsSince(t0) < 120) QApplication::processEvents(QEventLoop::AllEvents, 5);
  for (int p = 0; p < 3; ++p) finishGl(viewer->planeView(viewers::kPlanes[p]));
  syncX();
  const double planesS = secondsSince(t0);
  const double hwmPlanes = bench::procStatusMiB("VmHWM");
  if (smaps) bench::printResidentByMapping("at the planes' frame");
  // The 3D view takes the volume after the planes' frame, then renders it.
  while (view3D.volumeRenders == 0 && secondsSince(t0) < 120) QApplication::processEvents(QEventLoop::AllEvents, 5);
  finishGl(viewer->view3D());
  syncX();
  const double fullS = secondsSince(t0);
  for (int i = 0; i < 20; ++i) QApplication::processEvents();  // anything the first frames left queued
  const double hwmFull = bench::procStatusMiB("VmHWM");
  const double rssEnd = bench::procStatusMiB("VmRSS");
  if (smaps) {
    bench::printResidentByMapping("at the end");
    std::fflush(stdout);
    malloc_stats();  // glibc: each arena's system bytes against the bytes in use (stderr)
  }

  const core::Volume* volume = viewer->volume();
  if (!volume || !planesDrawn() || view3D.volumeRenders == 0) {
    std::fprintf(stderr, "bench_volume_open: the volume was not drawn within 120 s\n");
    return 1;
  }
  const double voxelMiB = volume->sizeInBytes() / 1048576.0;
  const auto f = viewer->view3D()->drawnFactors();
  std::printf("bench_volume_open: %dx%dx%d %s voxels (%.0f MiB); window %dx%d; 3D %s from %dx%dx%d blocks; load %s\n",
              volume->size()[0], volume->size()[1], volume->size()[2],
              volume->pixelType() == core::PixelType::Int16 ? "int16" : "other", voxelMiB, window.width(),
              window.height(), viewer->view3D()->lastRenderMode().toUtf8().constData(), f[0], f[1], f[2],
              bench::loadAverage().c_str());
  std::printf("  read %.3f s; open() returned %.3f s; planes' first frame %.3f s (%.3f s after the read); "
              "3D %.3f s\n",
              readS, openReturnedS, planesS, planesS - readS, fullS);
  std::printf("  RSS before open %.0f MiB; peak %.0f MiB when read, %.0f MiB at the planes' frame (%.2fx voxels), %.0f MiB after 3D "
              "(%.2fx); %.0f MiB at the end\n",
              rssBefore, hwmRead, hwmPlanes, hwmPlanes / voxelMiB, hwmFull, hwmFull / voxelMiB, rssEnd);
  std::printf("{\"read_s\": %.4f, \"planes_s\": %.4f, \"full_s\": %.4f, \"rss_before_mib\": %.1f, "
              "\"hwm_read_mib\": %.1f, \"hwm_planes_mib\": %.1f, \"hwm_full_mib\": %.1f, \"voxel_mib\": %.1f}\n",
              readS, planesS, fullS, rssBefore, hwmRead, hwmPlanes, hwmFull, voxelMiB);
  return 0;
}
