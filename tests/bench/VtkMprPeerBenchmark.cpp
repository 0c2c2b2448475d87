// The bare-VTK peer of bench_volume_viewer (issue 17): the same MPR -- axial, coronal and
// sagittal reslice planes and a 3D ray-cast view -- in ONE plain vtkRenderWindow on X11 with
// four viewports, no Qt at all, driven by the same scripted axial scroll and window/level
// drag at the same window size. Run it under the same Xvfb as the viewer, e.g. through
// volume_viewer_peer.py, which alternates rounds of both and prints the ratios:
//   xvfb-run -a -s "-screen 0 1920x1080x24" build/bin/bench_vtk_mpr [--frames N] [--size WxH]
//       [--redraw changed|all] [--times FILE] [--screenshot OUT.png]
// What it draws per plane is what Meridian draws: vtkImageReslice (linear, the volume's own
// in-plane grid) -> vtkImageSliceMapper -> vtkImageSlice with window/level, the two crosshair
// lines in the other planes' colours and the "Axial k / n" text. A frame is the state change,
// vtkRenderWindow::Render() (which swaps), glFinish and XSync (as the viewer's benchmark).
// --redraw changed (default) is how a careful VTK program draws: the 3D viewport, which
// neither scroll nor window/level changes, is skipped with vtkRenderer::DrawOff() and keeps
// its pixels; --redraw all renders all four viewports every frame (plain VTK).

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <vtkActor2D.h>
#include <vtkCamera.h>
#include <vtkColorTransferFunction.h>
#include <vtkImageData.h>
#include <vtkImageProperty.h>
#include <vtkImageReslice.h>
#include <vtkImageSlice.h>
#include <vtkImageSliceMapper.h>
#include <vtkMatrix4x4.h>
#include <vtkNew.h>
#include <vtkPNGWriter.h>
#include <vtkPiecewiseFunction.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper2D.h>
#include <vtkProperty2D.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkShortArray.h>
#include <vtkSmartPointer.h>
#include <vtkSmartVolumeMapper.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>
#include <vtkVolume.h>
#include <vtkVolumeProperty.h>
#include <vtkWindowToImageFilter.h>

#include "BenchTiming.hpp"
#include "VolumeBenchSupport.hpp"
#include "VtkMprPeerPlanes.hpp"

using namespace meridian;
using Clock = std::chrono::steady_clock;
using bench::kAxes;
using bench::PlaneView;

// Xlib's XSync, declared here: <X11/Xlib.h> defines macros (Status, None, ...) that clash with C++ code.
struct _XDisplay;
extern "C" int XSync(_XDisplay* display, int discard);

namespace {

void setUp3D(vtkRenderer* renderer, vtkImageData* image, vtkVolume* actor, vtkSmartVolumeMapper* mapper,
             const core::Volume& volume) {
  // Meridian's CT-Bone preset (Volume3DView), in stored values.
  const double slope = volume.rescaleSlope != 0 ? volume.rescaleSlope : 1.0, intercept = volume.rescaleIntercept;
  const auto stored = [&](double hu) { return (hu - intercept) / slope; };
  vtkNew<vtkColorTransferFunction> color;
  color->AddRGBPoint(stored(-1000), 0.0, 0.0, 0.0);
  color->AddRGBPoint(stored(-16), 0.73, 0.25, 0.30);
  color->AddRGBPoint(stored(641), 0.91, 0.82, 0.55);
  color->AddRGBPoint(stored(3071), 1.0, 1.0, 1.0);
  vtkNew<vtkPiecewiseFunction> opacity;
  opacity->AddPoint(stored(-1000), 0.0);
  opacity->AddPoint(stored(-16), 0.0);
  opacity->AddPoint(stored(641), 0.72);
  opacity->AddPoint(stored(3071), 0.71);
  vtkNew<vtkVolumeProperty> property;
  property->SetInterpolationTypeToLinear();
  property->ShadeOn();
  property->SetColor(color);
  property->SetScalarOpacity(opacity);
  property->SetAmbient(0.2);
  property->SetDiffuse(0.9);
  property->SetSpecular(0.2);
  property->SetSpecularPower(10.0);
  mapper->SetRequestedRenderModeToDefault();
  mapper->SetInteractiveAdjustSampleDistances(false);
  mapper->SetAutoAdjustSampleDistances(false);
  mapper->SetInputData(image);
  // Half a voxel per step, as Meridian's (which works in index units, then scales to mm).
  mapper->SetSampleDistance(static_cast<float>(0.5 * *std::min_element(volume.spacing.begin(), volume.spacing.end())));
  mapper->SetBlendModeToComposite();
  actor->SetMapper(mapper);
  actor->SetProperty(property);
  renderer->AddVolume(actor);
  renderer->ResetCamera();
  vtkCamera* camera = renderer->GetActiveCamera();
  double focal[3];
  camera->GetFocalPoint(focal);
  const double distance = camera->GetDistance();
  camera->SetPosition(focal[0], focal[1] + distance, focal[2]);  // from the front (+y of index is posterior)
  camera->SetViewUp(0, 0, -1);
  renderer->ResetCameraClippingRange();
}

// "llvmpipe (LLVM 15.0.6, 256 bits)" and the like, from VTK's capability report.
std::string glRenderer(vtkRenderWindow* window) {
  const std::string report = window->ReportCapabilities();
  const std::string key = "OpenGL renderer string:";
  const auto at = report.find(key);
  if (at == std::string::npos) return "unknown renderer";
  const auto end = report.find('\n', at);
  return report.substr(at + key.size() + 1, end == std::string::npos ? std::string::npos : end - at - key.size() - 1);
}

}  // namespace

int main(int argc, char** argv) {
  int frames = 300, width = 1920, height = 1080;
  bool redrawAll = false;
  std::string timesPath, screenshot;
  for (int i = 1; i + 1 < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--frames") frames = std::max(10, std::atoi(argv[i + 1]));
    if (arg == "--size" && std::sscanf(argv[i + 1], "%dx%d", &width, &height) != 2) {
      std::fprintf(stderr, "bench_vtk_mpr: --size wants WIDTHxHEIGHT\n");
      return 2;
    }
    if (arg == "--redraw") redrawAll = std::string(argv[i + 1]) == "all";
    if (arg == "--times") timesPath = argv[i + 1];
    if (arg == "--screenshot") screenshot = argv[i + 1];
  }
  auto loaded = bench::repeatedCt(MERIDIAN_BENCH_DEMO_DATA, 300);
  if (!loaded) {
    std::fprintf(stderr, "bench_vtk_mpr: %s\n", loaded.error().message.c_str());
    return 1;
  }
  const core::Volume& volume = *loaded.value();
  if (volume.pixelType() != core::PixelType::Int16) {
    std::fprintf(stderr, "bench_vtk_mpr: the demo CT is expected as Int16\n");
    return 1;
  }
  // The voxels handed to VTK without a copy (the volume outlives the image).
  vtkNew<vtkImageData> image;
  image->SetDimensions(volume.size()[0], volume.size()[1], volume.size()[2]);
  image->SetSpacing(volume.spacing[0], volume.spacing[1], volume.spacing[2]);
  vtkNew<vtkShortArray> scalars;
  scalars->SetArray(reinterpret_cast<short*>(const_cast<std::uint8_t*>(volume.data())),
                    static_cast<vtkIdType>(volume.voxelCount()), 1);
  image->GetPointData()->SetScalars(scalars);
  const double background = volume.valueRange()[0];

  vtkNew<vtkRenderWindow> window;
  window->SetSize(width, height);
  window->SetMultiSamples(0);
  window->SetWindowName("bench_vtk_mpr");
  std::array<PlaneView, 3> planes;
  // Axial | coronal over sagittal | 3D, as in Meridian (VTK's viewport y grows upwards).
  const double viewports[4][4] = {{0, 0.5, 0.5, 1}, {0.5, 0.5, 1, 1}, {0, 0, 0.5, 0.5}, {0.5, 0, 1, 0.5}};
  for (int p = 0; p < 3; ++p) {
    planes[p].renderer->SetViewport(viewports[p]);
    window->AddRenderer(planes[p].renderer);
    bench::setUpPlane(planes[p], p, image, background, {width / 2.0, height / 2.0});
  }
  vtkNew<vtkRenderer> renderer3D;
  renderer3D->SetViewport(viewports[3]);
  window->AddRenderer(renderer3D);
  vtkNew<vtkVolume> actor3D;
  vtkNew<vtkSmartVolumeMapper> mapper3D;
  setUp3D(renderer3D, image, actor3D, mapper3D, volume);

  const int slices = volume.size()[2];
  std::array<int, 3> cross{volume.size()[0] / 2, volume.size()[1] / 2, slices / 2};
  double level = 40, windowWidth = 400;  // soft tissue, in stored values (the demo CT stores HU)
  const auto applyWindow = [&] {
    for (auto& view : planes) {
      view.image->GetProperty()->SetColorWindow(windowWidth);
      view.image->GetProperty()->SetColorLevel(level);
    }
  };
  const auto placeAll = [&] {
    for (int p = 0; p < 3; ++p) bench::placePlane(planes[p], p, cross, volume.size()[kAxes[p].normal], window);
  };
  applyWindow();
  window->Render();  // creates the window and the context
  placeAll();
  window->Render();
  window->Render();
  std::printf("bench_vtk_mpr: volume %dx%dx%d; window %dx%d; %s; redraw %s; load %s\n", volume.size()[0],
              volume.size()[1], slices, window->GetSize()[0], window->GetSize()[1], glRenderer(window).c_str(),
              redrawAll ? "all four viewports" : "changed viewports only", bench::loadAverage().c_str());
  if (!redrawAll) renderer3D->DrawOff();  // neither scroll nor window/level changes the 3D view

  bench::FrameLog log(timesPath);
  const auto timeFrame = [&](auto&& change) {
    const auto t0 = Clock::now();
    change();
    window->Render();
    window->WaitForCompletion();
    XSync(static_cast<_XDisplay*>(window->GetGenericDisplayId()), 0);  // the frame is on the X server
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  };
  // 1. Scroll the axial plane; the coronal and sagittal crosshair lines follow.
  cross[2] = 0;
  placeAll();
  window->Render();
  std::vector<double> scroll;
  for (int f = 0; f < frames; ++f)
    scroll.push_back(timeFrame([&] {
      cross[2] = bench::scrollSlice(f, slices);
      placeAll();
    }));
  bench::reportFrames("bare VTK axial scroll", scroll);
  log.add("scroll", scroll);

  // 2. Window/level drag: 2 px of mouse per frame, VTK's image-interactor rate (window
  // grows with x, level with y), all three planes re-windowed.
  std::vector<double> drag;
  for (int f = 0; f < frames; ++f)
    drag.push_back(timeFrame([&] {
      const auto [dx, dy] = bench::dragStep(f);
      windowWidth = std::max(1.0, windowWidth + dx * 4.0);
      level += dy * 4.0;
      applyWindow();
    }));
  bench::reportFrames("bare VTK window/level drag", drag);
  log.add("drag", drag);

  if (!screenshot.empty()) {
    // As left by the last frame (the 3D viewport kept from before the runs when skipped).
    vtkNew<vtkWindowToImageFilter> grab;
    grab->SetInput(window);
    grab->ShouldRerenderOff();
    grab->ReadFrontBufferOff();
    vtkNew<vtkPNGWriter> writer;
    writer->SetInputConnection(grab->GetOutputPort());
    writer->SetFileName(screenshot.c_str());
    writer->Write();
    std::printf("screenshot: %s\n", screenshot.c_str());
  }
  return 0;
}
