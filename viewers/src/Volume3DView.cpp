#include "meridian/viewers/Volume3DView.hpp"

#include <QApplication>
#include <QElapsedTimer>
#include <QMouseEvent>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

#include <vtkCamera.h>
#include <vtkColorTransferFunction.h>
#include <vtkImageData.h>
#include <vtkMatrix4x4.h>
#include <vtkPiecewiseFunction.h>
#include <vtkRenderer.h>
#include <vtkSmartVolumeMapper.h>
#include <vtkVolume.h>
#include <vtkVolumeProperty.h>

#include "VolumeVtkImage.hpp"
#include "meridian/viewers/VolumeDownsample.hpp"

namespace meridian::viewers {

Volume3DView::Volume3DView(QWidget* parent)
    : VtkRenderWidget(parent),
      mapper_(vtkSmartPointer<vtkSmartVolumeMapper>::New()),
      actor_(vtkSmartPointer<vtkVolume>::New()) {
  renderer()->SetBackground(0.0, 0.0, 0.0);
  mapper_->SetRequestedRenderModeToDefault();  // GPU ray casting when the context supports it
  mapper_->SetInteractiveAdjustSampleDistances(false);
  mapper_->SetAutoAdjustSampleDistances(false);
  actor_->SetMapper(mapper_);
}

Volume3DView::~Volume3DView() { stopWorker(); }

void Volume3DView::stopWorker() {
  cancel_ = true;
  if (worker_.joinable()) worker_.join();
  cancel_ = false;
}

void Volume3DView::setVolume(std::shared_ptr<const core::Volume> volume, vtkImageData* indexImage,
                             std::array<double, 2> storedRange) {
  stopWorker();
  if (hasVolume_) renderer()->RemoveVolume(actor_);
  hasVolume_ = false;
  mapper_->RemoveAllInputs();  // the previous volume's voxels (or copy) go now, not when the next is drawn
  ++generation_;
  pending_ = true;
  drawingAllowed_ = false;
  volume_ = std::move(volume);
  fullImage_ = indexImage;
  readyImage_ = nullptr;
  storedRange_ = storedRange;
  // The budget in voxels, as downsampleFactors() counts the volume's own bytes.
  const std::size_t voxelBytes = volume_->sizeInBytes() / std::max<std::size_t>(1, volume_->voxelCount());
  const std::size_t budget = softwareRenderer() ? kSoftwareGlVoxels * voxelBytes : static_cast<std::size_t>(-1);
  drawnFactors_ = downsampleFactors(*volume_, budget);
  if (drawnFactors_ == std::array<int, 3>{1, 1, 1}) {
    readyImage_ = fullImage_;
    drawnVolume_ = volume_;
  } else {
    // The copy is made while the planes draw their first frame; adopt() takes it.
    worker_ = std::thread([this, volume = volume_, factors = drawnFactors_, generation = generation_,
                           window = byteCopyWindow(*volume_, storedRange)] {
      auto copy = downsampleToBytes(*volume, factors, window);
      if (cancel_) return;
      std::shared_ptr<const core::Volume> made;
      if (copy) made = std::make_shared<const core::Volume>(std::move(copy).value());
      QMetaObject::invokeMethod(
          this, [this, made, generation] {
            if (generation != generation_) return;
            if (made) {
              drawnVolume_ = made;
              readyImage_ = detail::toVtkIndexImage(made);
            } else {  // no memory for the copy: draw the voxels as they are
              drawnFactors_ = {1, 1, 1};
              drawnVolume_ = volume_;
              readyImage_ = fullImage_;
            }
            adopt(generation);
          },
          Qt::QueuedConnection);
    });
  }
  requestRender();  // the previous volume's picture goes
}

void Volume3DView::startDrawing() {
  drawingAllowed_ = true;
  adopt(generation_);
}

void Volume3DView::adopt(std::uint64_t generation) {
  if (generation != generation_ || !pending_ || !drawingAllowed_ || !readyImage_) return;
  pending_ = false;
  // The presets' HU and the MIP ramp in the drawn values (an 8-bit copy has its own rescale).
  slope_ = drawnVolume_->rescaleSlope != 0 ? drawnVolume_->rescaleSlope : 1.0;
  intercept_ = drawnVolume_->rescaleIntercept;
  if (drawnVolume_ == volume_) {
    drawnRange_ = storedRange_;
  } else {
    const double volumeSlope = volume_->rescaleSlope != 0 ? volume_->rescaleSlope : 1.0;
    for (int i = 0; i < 2; ++i)
      drawnRange_[i] = std::clamp(
          (storedRange_[i] * volumeSlope + volume_->rescaleIntercept - intercept_) / slope_, 0.0, 255.0);
  }
  mapper_->SetInputData(readyImage_);
  // 0.5 voxel steps along the ray, in index units (the user matrix then scales to mm).
  mapper_->SetSampleDistance(0.5f);
  actor_->SetUserMatrix(detail::toVtkMatrix(detail::indexToPhysicalMatrix(*drawnVolume_)));
  renderer()->AddVolume(actor_);
  hasVolume_ = true;
  applyPreset();
  resetCamera();
}

bool Volume3DView::waitUntilReady(int timeoutMs) {
  if (!pending_) return hasVolume_;
  startDrawing();
  QElapsedTimer timer;
  timer.start();
  while (pending_ && timer.elapsed() < timeoutMs) QApplication::processEvents(QEventLoop::AllEvents, 10);
  return isReady();
}

void Volume3DView::clear() {
  stopWorker();
  ++generation_;
  pending_ = false;
  if (hasVolume_) renderer()->RemoveVolume(actor_);
  hasVolume_ = false;
  mapper_->RemoveAllInputs();
  volume_.reset();
  drawnVolume_.reset();
  fullImage_ = nullptr;
  readyImage_ = nullptr;
  requestRender();
}

void Volume3DView::setPreset(Volume3DPreset preset) {
  preset_ = preset;
  applyPreset();
}

void Volume3DView::applyPreset() {
  if (!hasVolume_) return;
  // Transfer functions are written in HU and moved to stored values with the rescale.
  const auto stored = [this](double hu) { return (hu - intercept_) / slope_; };
  vtkNew<vtkColorTransferFunction> color;
  vtkNew<vtkPiecewiseFunction> opacity;
  vtkNew<vtkVolumeProperty> property;
  property->SetInterpolationTypeToLinear();
  switch (preset_) {
    case Volume3DPreset::CtBone:
      // After ParaView's and 3D Slicer's "CT-Bone" preset.
      color->AddRGBPoint(stored(-1000), 0.0, 0.0, 0.0);
      color->AddRGBPoint(stored(-16), 0.73, 0.25, 0.30);
      color->AddRGBPoint(stored(641), 0.91, 0.82, 0.55);
      color->AddRGBPoint(stored(3071), 1.0, 1.0, 1.0);
      opacity->AddPoint(stored(-1000), 0.0);
      opacity->AddPoint(stored(-16), 0.0);
      opacity->AddPoint(stored(641), 0.72);
      opacity->AddPoint(stored(3071), 0.71);
      mapper_->SetBlendModeToComposite();
      property->ShadeOn();
      break;
    case Volume3DPreset::SoftTissue:
      // Fat and air transparent, muscle and organs faint red, contrast and bone bright.
      color->AddRGBPoint(stored(-1000), 0.0, 0.0, 0.0);
      color->AddRGBPoint(stored(-100), 0.55, 0.25, 0.15);
      color->AddRGBPoint(stored(60), 0.88, 0.60, 0.29);
      color->AddRGBPoint(stored(300), 1.0, 0.94, 0.95);
      color->AddRGBPoint(stored(1000), 1.0, 1.0, 1.0);
      opacity->AddPoint(stored(-1000), 0.0);
      opacity->AddPoint(stored(-200), 0.0);
      opacity->AddPoint(stored(0), 0.05);
      opacity->AddPoint(stored(100), 0.15);
      opacity->AddPoint(stored(400), 0.4);
      opacity->AddPoint(stored(1500), 0.6);
      mapper_->SetBlendModeToComposite();
      property->ShadeOn();
      break;
    case Volume3DPreset::Mip:
      // Grey ramp over the stored range: MIP needs no HU assumption.
      color->AddRGBPoint(drawnRange_[0], 0.0, 0.0, 0.0);
      color->AddRGBPoint(drawnRange_[1], 1.0, 1.0, 1.0);
      opacity->AddPoint(drawnRange_[0], 0.0);
      opacity->AddPoint(drawnRange_[1], 1.0);
      mapper_->SetBlendModeToMaximumIntensity();
      property->ShadeOff();
      break;
  }
  property->SetColor(color);
  property->SetScalarOpacity(opacity);
  property->SetAmbient(0.2);
  property->SetDiffuse(0.9);
  property->SetSpecular(0.2);
  property->SetSpecularPower(10.0);
  actor_->SetProperty(property);
  requestRender();
}

void Volume3DView::resetCamera() {
  if (!hasVolume_) return;
  double bounds[6];
  actor_->GetBounds(bounds);  // patient space, through the user matrix
  const double centre[3] = {(bounds[0] + bounds[1]) / 2, (bounds[2] + bounds[3]) / 2, (bounds[4] + bounds[5]) / 2};
  vtkCamera* camera = renderer()->GetActiveCamera();
  camera->ParallelProjectionOff();
  camera->SetFocalPoint(centre);
  // From the front: anterior is -y in LPS; the head (+z) up. Patient's left lands on the
  // screen's right, as in the coronal plane.
  camera->SetPosition(centre[0], centre[1] - 1000.0, centre[2]);
  camera->SetViewUp(0.0, 0.0, 1.0);
  renderer()->ResetCamera(bounds);
  requestRender();
}

QString Volume3DView::lastRenderMode() const {
  switch (mapper_->GetLastUsedRenderMode()) {
    case vtkSmartVolumeMapper::GPURenderMode:
      return QStringLiteral("GPU");
    case vtkSmartVolumeMapper::RayCastRenderMode:
      return QStringLiteral("CPU ray cast");
    default:
      return QStringLiteral("none yet");
  }
}

void Volume3DView::wheelEvent(QWheelEvent* event) {
  if (!hasVolume_) return;
  renderer()->GetActiveCamera()->Dolly(std::pow(1.1, event->angleDelta().y() / 120.0));
  renderer()->ResetCameraClippingRange();
  requestRender();
  event->accept();
}

void Volume3DView::mousePressEvent(QMouseEvent* event) {
  dragButton_ = event->button();
  lastMouse_ = event->position().toPoint();
}

void Volume3DView::mouseMoveEvent(QMouseEvent* event) {
  const QPoint pos = event->position().toPoint();
  const QPoint delta = pos - lastMouse_;
  lastMouse_ = pos;
  if (!hasVolume_ || dragButton_ == Qt::NoButton) return;
  vtkCamera* camera = renderer()->GetActiveCamera();
  if (dragButton_ == Qt::LeftButton) {
    camera->Azimuth(-0.5 * delta.x());
    camera->Elevation(0.5 * delta.y());
    camera->OrthogonalizeViewUp();
  } else if (dragButton_ == Qt::MiddleButton) {
    // Pan: move focal point and position together by the drag, in world units at the focus.
    const double scale =
        2.0 * camera->GetDistance() * std::tan(camera->GetViewAngle() * M_PI / 360.0) / std::max(1, height());
    double up[3], right[3], dir[3];
    camera->GetViewUp(up);
    camera->GetDirectionOfProjection(dir);
    right[0] = dir[1] * up[2] - dir[2] * up[1];
    right[1] = dir[2] * up[0] - dir[0] * up[2];
    right[2] = dir[0] * up[1] - dir[1] * up[0];
    double focal[3], position[3];
    camera->GetFocalPoint(focal);
    camera->GetPosition(position);
    for (int i = 0; i < 3; ++i) {
      const double shift = (-delta.x() * right[i] + delta.y() * up[i]) * scale;
      focal[i] += shift;
      position[i] += shift;
    }
    camera->SetFocalPoint(focal);
    camera->SetPosition(position);
  }
  renderer()->ResetCameraClippingRange();
  requestRender();
}

void Volume3DView::mouseReleaseEvent(QMouseEvent*) {
  dragButton_ = Qt::NoButton;
}

void Volume3DView::mouseDoubleClickEvent(QMouseEvent*) {
  resetCamera();
}

}  // namespace meridian::viewers
