// The bare-VTK peer of bench_volume_open (issue 17, item 4): the same series read into ONE
// vtkImageData and shown as axial, coronal and sagittal reslice planes (the planes of
// bench_vtk_mpr, VtkMprPeerPlanes.hpp) in one plain vtkRenderWindow on X11, no Qt, at the
// same window size and layout (the fourth quarter, Meridian's 3D view, stays empty). One run
// = one process:
//   xvfb-run -a -s "-screen 0 1920x1080x24" build/bin/bench_vtk_open SERIES_FOLDER [--size WxH]
//       [--reader meridian|vtk] [--smaps]
// --reader meridian (default): Meridian's DICOM series reader (io::loadDicomSeries, as the
//   window uses), its voxels handed to VTK without a copy -- what a VTK reader's output is:
//   one buffer. The difference to bench_volume_open is then all display.
// --reader vtk: VTK's own vtkDICOMImageReader on the folder (one thread).
// Reported: `read` (the voxels in memory), `planes` (the first Render() of the three planes,
// glFinish and an X round trip) and the peak RSS (VmHWM) then; a JSON line for the driver.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include <vtkDICOMImageReader.h>
#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkShortArray.h>

#include "BenchTiming.hpp"
#include "VolumeBenchSupport.hpp"
#include "VtkMprPeerPlanes.hpp"
#include "meridian/io/DicomSeries.hpp"

using namespace meridian;
using Clock = std::chrono::steady_clock;

// Xlib's XSync, declared here: <X11/Xlib.h> defines macros that clash with C++ code.
struct _XDisplay;
extern "C" int XSync(_XDisplay* display, int discard);

namespace {
double secondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_vtk_open SERIES_FOLDER [--size WxH] [--reader meridian|vtk]\n");
    return 2;
  }
  const std::filesystem::path folder = argv[1];
  int width = 1920, height = 1080;
  std::string reader = "meridian";
  bool smaps = false;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--smaps") smaps = true;
    if (i + 1 >= argc) break;
    if (arg == "--size" && std::sscanf(argv[i + 1], "%dx%d", &width, &height) != 2) return 2;
    if (arg == "--reader") reader = argv[i + 1];
  }
  vtkNew<vtkRenderWindow> window;  // made before the clock starts, as the window's is
  window->SetSize(width, height);
  window->SetMultiSamples(0);
  window->SetWindowName("bench_vtk_open");
  window->Render();
  const double rssBefore = bench::procStatusMiB("VmRSS");
  if (smaps) bench::printResidentByMapping("before open");

  const auto t0 = Clock::now();
  vtkSmartPointer<vtkImageData> image;
  core::Volume volume;  // --reader meridian: the voxels VTK's array points into
  vtkNew<vtkDICOMImageReader> vtkReader;
  if (reader == "vtk") {
    vtkReader->SetDirectoryName(folder.string().c_str());
    vtkReader->Update();
    image = vtkReader->GetOutput();
  } else {
    auto series = io::indexDicomFolder(folder);
    if (!series || series.value().empty()) {
      std::fprintf(stderr, "bench_vtk_open: no DICOM series in %s\n", folder.string().c_str());
      return 1;
    }
    auto loaded = io::loadDicomSeries(series.value().front());
    if (!loaded) {
      std::fprintf(stderr, "bench_vtk_open: %s\n", loaded.error().message.c_str());
      return 1;
    }
    volume = std::move(loaded.value().volume);
    if (volume.pixelType() != core::PixelType::Int16) {
      std::fprintf(stderr, "bench_vtk_open: the series is expected as int16\n");
      return 1;
    }
    image = vtkSmartPointer<vtkImageData>::New();
    image->SetDimensions(volume.size()[0], volume.size()[1], volume.size()[2]);
    image->SetSpacing(volume.spacing[0], volume.spacing[1], volume.spacing[2]);
    vtkNew<vtkShortArray> scalars;
    scalars->SetArray(reinterpret_cast<short*>(volume.data()), static_cast<vtkIdType>(volume.voxelCount()), 1);
    image->GetPointData()->SetScalars(scalars);
  }
  const double readS = secondsSince(t0);
  const double hwmRead = bench::procStatusMiB("VmHWM");
  int dims[3];
  image->GetDimensions(dims);
  double range[2];
  image->GetScalarRange(range);  // the background, as Meridian's planes use the smallest value

  std::array<bench::PlaneView, 3> planes;
  const double viewports[3][4] = {{0, 0.5, 0.5, 1}, {0.5, 0.5, 1, 1}, {0, 0, 0.5, 0.5}};
  const std::array<int, 3> cross{dims[0] / 2, dims[1] / 2, dims[2] / 2};
  for (int p = 0; p < 3; ++p) {
    planes[p].renderer->SetViewport(viewports[p]);
    window->AddRenderer(planes[p].renderer);
    bench::setUpPlane(planes[p], p, image, range[0], {width / 2.0, height / 2.0});
    planes[p].image->GetProperty()->SetColorWindow(400);
    planes[p].image->GetProperty()->SetColorLevel(40);
  }
  for (int p = 0; p < 3; ++p) bench::placePlane(planes[p], p, cross, dims[bench::kAxes[p].normal], window);
  window->Render();
  window->WaitForCompletion();
  XSync(static_cast<_XDisplay*>(window->GetGenericDisplayId()), 0);
  const double planesS = secondsSince(t0);
  const double hwm = bench::procStatusMiB("VmHWM");
  if (smaps) bench::printResidentByMapping("at the planes' frame");
  const double voxelMiB = static_cast<double>(dims[0]) * dims[1] * dims[2] * image->GetScalarSize() / 1048576.0;
  std::printf("bench_vtk_open (%s reader): %dx%dx%d voxels (%.0f MiB); window %dx%d; load %s\n", reader.c_str(),
              dims[0], dims[1], dims[2], voxelMiB, width, height, bench::loadAverage().c_str());
  std::printf("  read %.3f s; planes' first frame %.3f s (%.3f s after the read)\n", readS, planesS, planesS - readS);
  std::printf("  RSS before open %.0f MiB; peak %.0f MiB when read, %.0f MiB at the planes' frame (%.2fx voxels)\n",
              rssBefore, hwmRead, hwm,
              hwm / voxelMiB);
  std::printf("{\"read_s\": %.4f, \"planes_s\": %.4f, \"full_s\": %.4f, \"rss_before_mib\": %.1f, "
              "\"hwm_read_mib\": %.1f, \"hwm_planes_mib\": %.1f, \"hwm_full_mib\": %.1f, \"voxel_mib\": %.1f}\n",
              readS, planesS, planesS, rssBefore, hwmRead, hwm, hwm, voxelMiB);
  return 0;
}
