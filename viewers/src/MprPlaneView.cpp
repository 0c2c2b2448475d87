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
      stack_(vtkSmartPointer<vtkImageStack>::New()) {
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
  // The overlay is RGBA with straight alpha; window 255 / level 127.5 passes colours through.
  vtkNew<vtkImageSliceMapper> overlayMapper;
  overlayMapper->SetInputData(overlayData_);
  overlayMapper->BorderOn();
  overlay_->SetMapper(overlayMapper);
  overlay_->GetProperty()->SetColorWindow(255.0);
  overlay_->GetProperty()->SetColorLevel(127.5);
  overlay_->GetProperty()->SetInterpolationTypeToNearest();
  overlay_->GetProperty()->SetLayerNumber(1);
  overlay_->VisibilityOff();
  // An image stack draws its layers in order in one plane (no z-fighting between them).
  stack_->AddImage(image_);
  stack_->AddImage(overlay_);
  stack_->SetActiveLayer(0);
  decorations_ = new MprPlaneDecorations(plane, this);
  setMouseTracking(true);
  setFocusPolicy(Qt::StrongFocus);
}

MprPlaneView::~MprPlaneView() = default;

void MprPlaneView::setVolume(vtkImageData* indexImage, double background) {
  if (hasVolume_) renderer()->RemoveViewProp(stack_);
  hasVolume_ = indexImage != nullptr;
  if (!hasVolume_) {
    requestRender();
    return;
  }
  reslice_->SetInputData(indexImage);
  reslice_->SetBackgroundLevel(background);
  renderer()->AddViewProp(stack_);
  lastAxes_.reset();
}

void MprPlaneView::refresh(core::WindowLevel storedWindow, const HeatmapLayer* heatmap) {
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
  const bool overlayShown = overlay_->GetVisibility() != 0;
  updateOverlay(heatmap);  // cheap (map cells sampled at plane pixels); its settings may have changed
  const bool overlayInvolved = overlayShown || overlay_->GetVisibility() != 0;
  decorations_->setSliceText(tr("%1  %2 / %3")
                                 .arg(QString::fromLatin1(toString(plane_)))
                                 .arg(state_->sliceIndex(plane_) + 1)
                                 .arg(state_->sliceCount(plane_)));
  const bool cameraChanged = applyCamera();
  updateCrosshair();
  if (axesChanged || windowChanged || overlayInvolved || cameraChanged) requestRender();
}

void MprPlaneView::updateCrosshair() {
  const auto c = state_->crosshairPixel(plane_);
  const auto v = state_->view(plane_).imageToView(c[0], c[1]);
  decorations_->setCrosshair(QPointF(v[0], v[1]), hasVolume_);
}

void MprPlaneView::updateOverlay(const HeatmapLayer* heatmap) {
  if (!heatmap || !heatmap->hasMap()) {
    overlay_->VisibilityOff();
    return;
  }
  // The layer samples its map at the plane's pixel centres in patient space: the map is
  // resliced with the plane, whatever its own grid and direction.
  const PlaneGrid& grid = state_->grid(plane_);
  const PlaneAxes axes = planeAxes(plane_);
  SamplingGrid sampling;
  sampling.origin = grid.physical(0.0, 0.0, state_->depth(plane_));
  for (int i = 0; i < 3; ++i) {
    sampling.stepU[i] = axes.right[i] * grid.su;
    sampling.stepV[i] = axes.down[i] * grid.sv;
  }
  sampling.width = grid.width;
  sampling.height = grid.height;
  const std::vector<std::uint8_t> rgba = heatmap->renderRgba(sampling, Interpolation::Linear);
  overlayData_->SetDimensions(grid.width, grid.height, 1);
  overlayData_->SetSpacing(grid.su, grid.sv, 1.0);
  overlayData_->SetOrigin(0.0, 0.0, 0.0);
  vtkNew<vtkUnsignedCharArray> scalars;
  scalars->SetNumberOfComponents(4);
  scalars->SetNumberOfTuples(static_cast<vtkIdType>(grid.width) * grid.height);
  std::uint8_t* out = scalars->GetPointer(0);
  // VTK blends with straight alpha; the layer hands out premultiplied colours.
  for (std::size_t p = 0; p + 3 < rgba.size(); p += 4) {
    const int a = rgba[p + 3];
    for (int c = 0; c < 3; ++c) out[p + c] = a ? static_cast<std::uint8_t>(std::min(255, rgba[p + c] * 255 / a)) : 0;
    out[p + 3] = static_cast<std::uint8_t>(a);
  }
  overlayData_->GetPointData()->SetScalars(scalars);
  overlayData_->Modified();
  overlay_->VisibilityOn();
}

void MprPlaneView::refreshView() {
  applyCamera();
  updateCrosshair();
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

void MprPlaneView::wheelEvent(QWheelEvent* event) {
  if (!hasVolume_) return;
  const double steps = event->angleDelta().y() / 120.0;
  if (event->modifiers() & Qt::ControlModifier) {
    state_->view(plane_).zoomAbout(std::pow(1.2, steps), event->position().x(), event->position().y());
    refreshView();
  } else {
    state_->scroll(plane_, static_cast<int>(std::lround(steps)));
    Q_EMIT stateEdited();
  }
  event->accept();
}

void MprPlaneView::pointAt(QPointF viewPosition) {
  const auto p = state_->view(plane_).viewToImage(viewPosition.x(), viewPosition.y());
  state_->pointAt(plane_, p[0], p[1]);
  Q_EMIT stateEdited();
}

void MprPlaneView::mousePressEvent(QMouseEvent* event) {
  dragButton_ = event->button();
  panning_ =
      dragButton_ == Qt::MiddleButton || (dragButton_ == Qt::LeftButton && (event->modifiers() & Qt::ShiftModifier));
  lastMouse_ = event->position().toPoint();
  if (hasVolume_ && dragButton_ == Qt::LeftButton && !panning_) pointAt(event->position());
}

void MprPlaneView::mouseMoveEvent(QMouseEvent* event) {
  const QPoint pos = event->position().toPoint();
  const QPoint delta = pos - lastMouse_;
  lastMouse_ = pos;
  if (!hasVolume_) return;
  if (panning_) {
    state_->view(plane_).panBy(delta.x(), delta.y());
    refreshView();
  } else if (dragButton_ == Qt::LeftButton) {
    pointAt(event->position());
  } else if (dragButton_ == Qt::RightButton) {
    state_->dragWindow(delta.x(), delta.y());
    Q_EMIT stateEdited();
  }
  const auto p = state_->view(plane_).viewToImage(pos.x(), pos.y());
  Q_EMIT hovered(p[0], p[1]);
}

void MprPlaneView::mouseReleaseEvent(QMouseEvent*) {
  dragButton_ = Qt::NoButton;
  panning_ = false;
}

void MprPlaneView::mouseDoubleClickEvent(QMouseEvent*) {
  if (!hasVolume_) return;
  ImageViewState& view = state_->view(plane_);
  const PlaneGrid& grid = state_->grid(plane_);
  const int w = view.viewWidth(), h = view.viewHeight();
  view.reset(grid.width, grid.height, {grid.su, grid.sv}, state_->window());
  view.setViewSize(w, h);
  refreshView();
}

void MprPlaneView::keyPressEvent(QKeyEvent* event) {
  int steps = 0;
  switch (event->key()) {
    case Qt::Key_PageUp:
    case Qt::Key_Up:
      steps = 1;
      break;
    case Qt::Key_PageDown:
    case Qt::Key_Down:
      steps = -1;
      break;
    default:
      VtkRenderWidget::keyPressEvent(event);
      return;
  }
  if (!hasVolume_) return;
  state_->scroll(plane_, steps);
  Q_EMIT stateEdited();
  event->accept();
}

}  // namespace meridian::viewers
