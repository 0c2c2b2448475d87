#pragma once
// The bare-VTK MPR planes of Meridian's volume viewer peers (bench_vtk_mpr, bench_vtk_open):
// per plane a vtkImageReslice (linear, the volume's own in-plane grid) -> vtkImageSliceMapper
// -> vtkImageSlice in its own renderer, the crosshair lines in the other planes' colours and
// the "Axial k / n" text, as Meridian draws them. Qt-free.

#include <algorithm>
#include <array>
#include <string>

#include <vtkActor2D.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkImageData.h>
#include <vtkImageProperty.h>
#include <vtkImageReslice.h>
#include <vtkImageSlice.h>
#include <vtkImageSliceMapper.h>
#include <vtkMatrix4x4.h>
#include <vtkNew.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper2D.h>
#include <vtkProperty2D.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>

namespace meridian::bench {

// Voxel axes shown right/down and along the normal, as Meridian's planes of an axially
// stored volume: axial (i right, j down), coronal (i right, k down), sagittal (j right, k down).
struct PlaneAxes {
  int right, down, normal;
};
constexpr std::array<PlaneAxes, 3> kAxes{{{0, 1, 2}, {0, 2, 1}, {1, 2, 0}}};
constexpr std::array<std::array<double, 3>, 3> kColors{{{1.0, 0.31, 0.31}, {0.31, 0.78, 0.31}, {0.94, 0.82, 0.24}}};
const char* const kNames[3] = {"Axial", "Coronal", "Sagittal"};

struct PlaneView {
  vtkNew<vtkRenderer> renderer;
  vtkNew<vtkImageReslice> reslice;
  vtkNew<vtkImageSlice> image;
  vtkNew<vtkTextActor> text;
  // Index 0: the vertical line, 1: the horizontal line (each the colour of the plane it stands for).
  std::array<vtkNew<vtkPoints>, 2> linePoints;
  std::array<vtkNew<vtkActor2D>, 2> lines;
  std::array<int, 2> size{1, 1};        // output grid (voxels)
  std::array<double, 2> spacing{1, 1};  // mm per output pixel
};

// Plane p on the volume's own grid in mm (the voxel spacing along its screen axes, as
// Meridian's PlaneGrid), fitted into its viewport of `viewport` pixels.
inline void setUpPlane(PlaneView& view, int p, vtkImageData* image, double background, std::array<double, 2> viewport) {
  const auto& a = kAxes[p];
  int dims[3];
  image->GetDimensions(dims);
  double spacing[3];
  image->GetSpacing(spacing);
  view.size = {dims[a.right], dims[a.down]};
  view.spacing = {spacing[a.right], spacing[a.down]};
  view.reslice->SetInputData(image);
  view.reslice->SetInterpolationModeToLinear();
  view.reslice->SetOutputDimensionality(2);
  view.reslice->SetBackgroundLevel(background);
  view.reslice->SetOutputOrigin(0, 0, 0);
  view.reslice->SetOutputSpacing(view.spacing[0], view.spacing[1], 1);
  view.reslice->SetOutputExtent(0, view.size[0] - 1, 0, view.size[1] - 1, 0, 0);
  vtkNew<vtkImageSliceMapper> mapper;
  mapper->SetInputConnection(view.reslice->GetOutputPort());
  mapper->BorderOn();
  view.image->SetMapper(mapper);
  view.image->GetProperty()->SetInterpolationTypeToLinear();
  view.renderer->AddViewProp(view.image);
  vtkCamera* camera = view.renderer->GetActiveCamera();
  camera->ParallelProjectionOn();
  const double w = view.size[0] * view.spacing[0], h = view.size[1] * view.spacing[1];
  const double cx = (view.size[0] - 1) * view.spacing[0] / 2.0, cy = (view.size[1] - 1) * view.spacing[1] / 2.0;
  camera->SetFocalPoint(cx, cy, 0);
  camera->SetPosition(cx, cy, -1000);
  camera->SetViewUp(0, -1, 0);
  camera->SetParallelScale(std::max(h, w * viewport[1] / viewport[0]) / 2.0);
  camera->SetClippingRange(1, 2000);
  view.text->GetTextProperty()->SetFontSize(14);
  view.text->GetTextProperty()->SetColor(1, 1, 1);
  view.text->SetPosition(6, 0);
  view.renderer->AddViewProp(view.text);
  const int vertical = p == 2 ? 1 : 2, horizontal = p == 0 ? 1 : 0;
  for (int l = 0; l < 2; ++l) {
    view.linePoints[l]->SetNumberOfPoints(2);
    vtkNew<vtkPolyData> poly;
    poly->SetPoints(view.linePoints[l]);
    vtkNew<vtkCellArray> cells;
    const vtkIdType ids[2] = {0, 1};
    cells->InsertNextCell(2, ids);
    poly->SetLines(cells);
    vtkNew<vtkPolyDataMapper2D> lineMapper;
    lineMapper->SetInputData(poly);
    view.lines[l]->SetMapper(lineMapper);
    const auto& c = kColors[l == 0 ? vertical : horizontal];
    view.lines[l]->GetProperty()->SetColor(c[0], c[1], c[2]);
    view.renderer->AddViewProp(view.lines[l]);
  }
}

// Moves plane p to voxel depth `depth` along its normal and its crosshair to the voxel `cross`.
inline void placePlane(PlaneView& view, int p, const std::array<int, 3>& cross, int sliceCount, vtkRenderWindow* window) {
  const auto& a = kAxes[p];
  vtkNew<vtkMatrix4x4> axes;
  axes->Zero();
  axes->SetElement(a.right, 0, 1);
  axes->SetElement(a.down, 1, 1);
  axes->SetElement(a.normal, 2, 1);
  double spacing[3];
  vtkImageData::SafeDownCast(view.reslice->GetInput())->GetSpacing(spacing);
  axes->SetElement(a.normal, 3, cross[a.normal] * spacing[a.normal]);
  axes->SetElement(3, 3, 1);
  view.reslice->SetResliceAxes(axes);
  view.text->SetInput(
      (std::string(kNames[p]) + "  " + std::to_string(cross[a.normal] + 1) + " / " + std::to_string(sliceCount))
          .c_str());
  // Crosshair in display pixels of this viewport: voxel -> world (x right, y down) -> display.
  double* vp = view.renderer->GetViewport();
  const int* win = window->GetSize();
  const double w = (vp[2] - vp[0]) * win[0], h = (vp[3] - vp[1]) * win[1];
  view.renderer->SetWorldPoint(cross[a.right] * view.spacing[0], cross[a.down] * view.spacing[1], 0, 1);
  view.renderer->WorldToDisplay();
  double d[3];
  view.renderer->GetDisplayPoint(d);
  const double x = d[0] - vp[0] * win[0], y = d[1] - vp[1] * win[1];
  view.linePoints[0]->SetPoint(0, x, 0, 0);
  view.linePoints[0]->SetPoint(1, x, h, 0);
  view.linePoints[1]->SetPoint(0, 0, y, 0);
  view.linePoints[1]->SetPoint(1, w, y, 0);
  for (auto& points : view.linePoints) points->Modified();
}

}  // namespace meridian::bench
