#include "meridian/viewers/MprPlaneView.hpp"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QWheelEvent>

#include <cmath>
#include <cstring>

#include <vtkCamera.h>
#include <vtkImageData.h>
#include <vtkImageProperty.h>
#include <vtkImageReslice.h>
#include <vtkImageSlice.h>
#include <vtkImageSliceMapper.h>
#include <vtkImageStack.h>
#include <vtkMatrix4x4.h>
#include <vtkPointData.h>
#include <vtkRenderer.h>
#include <vtkUnsignedCharArray.h>

#include "VolumeVtkImage.hpp"
#include "meridian/viewers/HeatmapLayer.hpp"
#include "meridian/viewers/MprPlaneDecorations.hpp"
#include "meridian/viewers/VolumeViewState.hpp"

namespace meridian::viewers {

MprPlaneView::MprPlaneView(Plane plane, VolumeViewState* state, QWidget* parent)
    : VtkRenderWidget(parent),
      plane_(plane),
      state_(state),
      reslice_(vtkSmartPointer<vtkImageReslice>::New()),
      image_(vtkSmartPointer<vtkImageSlice>::New()),
      overlay_(vtkSmartPointer<vtkImageSlice>::New()),
      overlayData_(vtkSmartPointer<vtkImageData>::New()),
      labelSlice_(vtkSmartPointer<vtkImageSlice>::New()),
      labelData_(vtkSmartPointer<vtkImageData>::New()),
      stack_(vtkSmartPointer<vtkImageStack>::New()) {
  // The plane and its overlays are one image stack drawn in layer order: no depth needed.
  setDepthBuffer(false);
  // A drag or a fast scroll shows reduced frames, sharp again when it ends (issue 17).
  setReducedWhileInteracting(true);
  renderer()->SetBackground(0.0, 0.0, 0.0);
  renderer()->GetActiveCamera()->ParallelProjectionOn();
  reslice_->SetInterpolationModeToLinear();
  reslice_->SetOutputDimensionality(2);
  vtkNew<vtkImageSliceMapper> mapper;
  mapper->SetInputConnection(reslice_->GetOutputPort());
  // Draw every pixel whole: without the border VTK stops at the outer pixel centres, half a
  // voxel short of the volume's edge on each side.
  mapper->BorderOn();
  image_->SetMapper(mapper);
  image_->GetProperty()->SetInterpolationTypeToLinear();
  image_->GetProperty()->SetLayerNumber(0);
  // The overlays are RGBA with straight alpha; window 255 / level 127.5 passes colours
  // through. The label map lies under the heatmap.
  const auto setUpOverlay = [](vtkImageSlice* slice, vtkImageData* data, int layer) {
    vtkNew<vtkImageSliceMapper> mapper;
    mapper->SetInputData(data);
    mapper->BorderOn();
    slice->SetMapper(mapper);
    slice->GetProperty()->SetColorWindow(255.0);
    slice->GetProperty()->SetColorLevel(127.5);
    slice->GetProperty()->SetInterpolationTypeToNearest();
    slice->GetProperty()->SetLayerNumber(layer);
    slice->VisibilityOff();
  };
  setUpOverlay(labelSlice_, labelData_, 1);
  setUpOverlay(overlay_, overlayData_, 2);
  // An image stack draws its layers in order in one plane (no z-fighting between them).
  stack_->AddImage(image_);
  stack_->AddImage(labelSlice_);
  stack_->AddImage(overlay_);
  stack_->SetActiveLayer(0);
  decorations_ = new MprPlaneDecorations(plane, this);
  decorations_->setOverlayPainter([this](QPainter& painter) { paintOverlays(painter); });
  setMouseTracking(true);
  setFocusPolicy(Qt::StrongFocus);
}

MprPlaneView::~MprPlaneView() = default;

void MprPlaneView::setVolume(vtkImageData* indexImage, double background, const core::Volume* volume,
                             ValueRescale rescale) {
  if (hasVolume_) renderer()->RemoveViewProp(stack_);
  hasVolume_ = indexImage != nullptr;
  volume_ = hasVolume_ ? volume : nullptr;
  rescale_ = std::move(rescale);
  tools_.clear();
  tools_.clearLabels();  // shapes of the previous volume's planes
  probeAt_.reset();
  sampledFor_.reset();
  heatmapLook_.reset();
  planeCacheAxes_.reset();
  overlay_->VisibilityOff();
  labelSlice_->VisibilityOff();
  if (!hasVolume_) {
    requestRender();
    return;
  }
  reslice_->SetInputData(indexImage);
  reslice_->SetBackgroundLevel(background);
  renderer()->AddViewProp(stack_);
  lastAxes_.reset();
}

void MprPlaneView::refresh(core::WindowLevel storedWindow, const PlaneOverlays& overlays) {
  if (!hasVolume_) return;
  // Only what changed is redone: scrolling the axial plane reslices and renders the axial
  // plane alone; the other planes just move their crosshair (drawn by Qt, not VTK).
  const PlaneGrid& grid = state_->grid(plane_);
  const auto axes = planeToIndexMatrix(grid, state_->depth(plane_), state_->geometry());
  const bool axesChanged = !lastAxes_ || *lastAxes_ != axes;
  if (axesChanged) {
    reslice_->SetResliceAxes(detail::toVtkMatrix(axes));
    reslice_->SetOutputOrigin(0.0, 0.0, 0.0);
    reslice_->SetOutputSpacing(grid.su, grid.sv, 1.0);
    reslice_->SetOutputExtent(0, grid.width - 1, 0, grid.height - 1, 0, 0);
    lastAxes_ = axes;
  }
  const bool windowChanged = image_->GetProperty()->GetColorWindow() != storedWindow.width ||
                             image_->GetProperty()->GetColorLevel() != storedWindow.center;
  image_->GetProperty()->SetColorWindow(storedWindow.width);
  image_->GetProperty()->SetColorLevel(storedWindow.center);
  const bool overlaysChanged = updateOverlays(overlays, axesChanged);
  // A half-drawn measurement belongs to the slice it was started on.
  if (const int slice = state_->sliceIndex(plane_); slice != toolSlice_) {
    tools_.cancelDraft();
    toolSlice_ = slice;
  }
  decorations_->setSliceText(tr("%1  %2 / %3")
                                 .arg(QString::fromLatin1(toString(plane_)))
                                 .arg(state_->sliceIndex(plane_) + 1)
                                 .arg(state_->sliceCount(plane_)));
  const bool cameraChanged = applyCamera();
  updateCrosshair();
  if (cameraChanged) decorations_->update();  // measurements move with zoom and pan
  if (axesChanged || windowChanged || overlaysChanged || cameraChanged) requestRender();
}

void MprPlaneView::updateCrosshair() {
  const auto c = state_->crosshairPixel(plane_);
  const auto v = state_->view(plane_).imageToView(c[0], c[1]);
  decorations_->setCrosshair(QPointF(v[0], v[1]), hasVolume_);
}

void MprPlaneView::refreshView() {
  applyCamera();
  updateCrosshair();
  decorations_->update();  // measurements move with zoom and pan
  requestRender();
}

bool MprPlaneView::applyCamera() {
  // As in ImageViewer2D: looking along +z with view-up -y puts plane x right and y down.
  const ImageViewState& view = state_->view(plane_);
  const auto focal = view.focalPoint();
  const std::array<double, 3> camera{focal[0], focal[1], view.viewHeight() / (2.0 * view.viewScale())};
  if (lastCamera_ == camera) return false;
  lastCamera_ = camera;
  vtkCamera* vtkCam = renderer()->GetActiveCamera();
  vtkCam->SetFocalPoint(focal[0], focal[1], 0.0);
  vtkCam->SetPosition(focal[0], focal[1], -1000.0);
  vtkCam->SetViewUp(0.0, -1.0, 0.0);
  vtkCam->SetParallelScale(camera[2]);
  vtkCam->SetClippingRange(1.0, 2000.0);
  return true;
}

core::Image2D MprPlaneView::reslicedPlane() const {
  if (!hasVolume_) return {};
  reslice_->Update();
  vtkImageData* out = reslice_->GetOutput();
  int dims[3];
  out->GetDimensions(dims);
  core::PixelType type = core::PixelType::Float32;
  switch (out->GetScalarType()) {
    case VTK_UNSIGNED_CHAR:
      type = core::PixelType::UInt8;
      break;
    case VTK_SHORT:
      type = core::PixelType::Int16;
      break;
    case VTK_UNSIGNED_SHORT:
      type = core::PixelType::UInt16;
      break;
    default:
      break;
  }
  auto image = core::Image2D::allocate(dims[0], dims[1], 1, type);
  if (!image) return {};
  std::memcpy(image.value().data(), out->GetScalarPointer(), image.value().sizeInBytes());
  const PlaneGrid& grid = state_->grid(plane_);
  image.value().spacing = std::array<double, 2>{grid.su, grid.sv};
  return std::move(image).value();
}

void MprPlaneView::resizeGL(int w, int h) {
  VtkRenderWidget::resizeGL(w, h);
  state_->setViewSize(plane_, w, h);
  refreshView();
}

void MprPlaneView::resizeEvent(QResizeEvent* event) {
  VtkRenderWidget::resizeEvent(event);
  decorations_->setGeometry(rect());
}

}  // namespace meridian::viewers
