#include "meridian/viewers/ImageViewer2D.hpp"

#include <QMouseEvent>
#include <QWheelEvent>

#include <cmath>

#include <vtkCamera.h>
#include <vtkImageData.h>
#include <vtkImageProperty.h>
#include <vtkImageSlice.h>
#include <vtkImageSliceMapper.h>
#include <vtkRenderer.h>

#include "VtkImageConversion.hpp"
#include "meridian/core/DisplayMapping.hpp"

namespace meridian::viewers {

ImageViewer2D::ImageViewer2D(QWidget* parent) : VtkRenderWidget(parent) {
  renderer()->SetBackground(0.08, 0.08, 0.09);
  vtkCamera* camera = renderer()->GetActiveCamera();
  camera->ParallelProjectionOn();
  setMouseTracking(true);
}

ImageViewer2D::~ImageViewer2D() = default;

void ImageViewer2D::setImage(const core::Image2D& image, View view) {
  const bool keep = view == View::Keep && hasImage_ && image.width() == image_.width() &&
                    image.height() == image_.height() && image.spacing == image_.spacing;
  image_ = image;
  hasImage_ = !image_.empty();
  if (slice_) {
    renderer()->RemoveViewProp(slice_);
    slice_ = nullptr;
  }
  if (!hasImage_) {
    requestRender();
    return;
  }
  vtkNew<vtkImageSliceMapper> mapper;
  mapper->SetInputData(detail::toVtkImage(image_));
  vtkNew<vtkImageSlice> slice;
  slice->SetMapper(mapper);
  slice->GetProperty()->SetInterpolationTypeToLinear();
  renderer()->AddViewProp(slice);
  slice_ = slice;
  if (!keep) {
    state_.reset(image_.width(), image_.height(), image_.spacing.value_or(std::array<double, 2>{1.0, 1.0}),
                 core::defaultWindow(image_));
    state_.setViewSize(width(), height());
  }
  applyStateToScene();
}

void ImageViewer2D::setWindow(core::WindowLevel window) {
  state_.setWindow(window);
  applyStateToScene();
}

void ImageViewer2D::resetView() {
  if (!hasImage_) return;
  state_.reset(image_.width(), image_.height(), image_.spacing.value_or(std::array<double, 2>{1.0, 1.0}),
               core::defaultWindow(image_));
  state_.setViewSize(width(), height());
  applyStateToScene();
}

void ImageViewer2D::applyStateToScene() {
  if (slice_) {
    // A negative window inverts: MONOCHROME1 stores bright as low values.
    const double sign = image_.photometric == "MONOCHROME1" ? -1.0 : 1.0;
    slice_->GetProperty()->SetColorWindow(sign * state_.window().width);
    slice_->GetProperty()->SetColorLevel(state_.window().center);
  }
  // Looking along +z with view-up -y puts image x to the right and image y downwards.
  const auto focal = state_.focalPoint();
  vtkCamera* camera = renderer()->GetActiveCamera();
  camera->SetFocalPoint(focal[0], focal[1], 0.0);
  camera->SetPosition(focal[0], focal[1], -1000.0);
  camera->SetViewUp(0.0, -1.0, 0.0);
  camera->SetParallelScale(state_.viewHeight() / (2.0 * state_.viewScale()));
  camera->SetClippingRange(1.0, 2000.0);
  requestRender();
}

void ImageViewer2D::resizeGL(int w, int h) {
  VtkRenderWidget::resizeGL(w, h);
  state_.setViewSize(w, h);
  applyStateToScene();
}

void ImageViewer2D::wheelEvent(QWheelEvent* event) {
  if (!hasImage_) return;
  const double steps = event->angleDelta().y() / 120.0;
  state_.zoomAbout(std::pow(1.2, steps), event->position().x(), event->position().y());
  applyStateToScene();
  event->accept();
}

void ImageViewer2D::mousePressEvent(QMouseEvent* event) {
  dragButton_ = event->button();
  lastMouse_ = event->position().toPoint();
}

void ImageViewer2D::mouseMoveEvent(QMouseEvent* event) {
  const QPoint pos = event->position().toPoint();
  const QPoint delta = pos - lastMouse_;
  lastMouse_ = pos;
  if (!hasImage_) return;
  if (dragButton_ == Qt::LeftButton) {
    state_.panBy(delta.x(), delta.y());
    applyStateToScene();
  } else if (dragButton_ == Qt::RightButton) {
    state_.dragWindow(delta.x(), delta.y());
    applyStateToScene();
  }
  const auto p = state_.viewToImage(pos.x(), pos.y());
  const int x = static_cast<int>(std::lround(p[0])), y = static_cast<int>(std::lround(p[1]));
  if (x >= 0 && y >= 0 && x < image_.width() && y < image_.height()) Q_EMIT pixelHovered(x, y, valueTextAt(x, y));
}

void ImageViewer2D::mouseReleaseEvent(QMouseEvent*) { dragButton_ = Qt::NoButton; }

void ImageViewer2D::mouseDoubleClickEvent(QMouseEvent*) { resetView(); }

QString ImageViewer2D::valueTextAt(int x, int y) const {
  QStringList parts;
  for (int c = 0; c < image_.channels(); ++c) parts << QString::number(image_.valueAt(x, y, c), 'g', 6);
  return parts.join(", ");
}

}  // namespace meridian::viewers
