// MprPlaneView's mouse and keys: crosshair, scrolling, zoom, pan and window/level, and the
// measuring and label tools, which take the left button when one is chosen.

#include <QKeyEvent>
#include <QMouseEvent>
#include <QWheelEvent>

#include <cmath>

#include "ToolKeys.hpp"
#include "meridian/viewers/MprPlaneDecorations.hpp"
#include "meridian/viewers/MprPlaneView.hpp"
#include "meridian/viewers/VolumeViewState.hpp"

namespace meridian::viewers {

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

void MprPlaneView::afterToolEdit(bool changed, std::size_t measurementsBefore) {
  if (!changed) return;
  decorations_->update();
  const ToolController2D* tools = tools_.find(state_->sliceIndex(plane_));
  if (tools && tools->measurements().size() > measurementsBefore)
    Q_EMIT statusMessage(QString::fromStdString(measurementText(tools->measurements().back())));
  switch (tools_.tool()) {
    case Tool2D::LabelPoint:
    case Tool2D::LabelRectangle:
    case Tool2D::LabelPolygon:
    case Tool2D::EditLabels: Q_EMIT labelsEdited(); break;
    default: break;
  }
}

void MprPlaneView::reportToolError(const ToolController2D& tools) {
  // A polygon closed with fewer than three vertices is dropped: say why.
  if (!tools.lastError().empty()) Q_EMIT statusMessage(QString::fromStdString(tools.lastError()));
}

void MprPlaneView::mousePressEvent(QMouseEvent* event) {
  dragButton_ = event->button();
  panning_ =
      dragButton_ == Qt::MiddleButton || (dragButton_ == Qt::LeftButton && (event->modifiers() & Qt::ShiftModifier));
  lastMouse_ = event->position().toPoint();
  toolDrag_ = false;
  if (!hasVolume_ || dragButton_ != Qt::LeftButton || panning_) return;
  if (tools_.tool() != Tool2D::Navigate) {
    // The measurement belongs to the voxel slice shown now.
    ToolController2D& tools = tools_.at(state_->sliceIndex(plane_));
    const std::size_t before = tools.measurements().size();
    toolDrag_ = tools.press(planePointAt(event->position()), grabTolerance());
    afterToolEdit(toolDrag_, before);
    if (toolDrag_) return;
  }
  pointAt(event->position());  // Navigate, and Probe (which draws nothing)
}

void MprPlaneView::mouseMoveEvent(QMouseEvent* event) {
  const QPoint pos = event->position().toPoint();
  const QPoint delta = pos - lastMouse_;
  lastMouse_ = pos;
  if (!hasVolume_) return;
  if (panning_) {
    state_->view(plane_).panBy(delta.x(), delta.y());
    refreshView();
  } else if (dragButton_ == Qt::LeftButton && !toolDrag_) {
    pointAt(event->position());
  } else if (dragButton_ == Qt::RightButton) {
    state_->dragWindow(delta.x(), delta.y());
    Q_EMIT stateEdited();
  } else if (tools_.tool() != Tool2D::Navigate && (dragButton_ == Qt::LeftButton || dragButton_ == Qt::NoButton)) {
    // The tool's drag, and the rubber band of an angle's second arm between clicks.
    if (ToolController2D* tools = tools_.find(state_->sliceIndex(plane_)))
      if (tools->move(planePointAt(event->position()))) decorations_->update();
  }
  if (tools_.tool() == Tool2D::Probe) {
    probeAt_ = pos;
    decorations_->update();
  }
  const auto p = state_->view(plane_).viewToImage(pos.x(), pos.y());
  Q_EMIT hovered(p[0], p[1]);
}

void MprPlaneView::mouseReleaseEvent(QMouseEvent* event) {
  if (hasVolume_ && event->button() == Qt::LeftButton && toolDrag_) {
    ToolController2D& tools = tools_.at(state_->sliceIndex(plane_));
    const std::size_t before = tools.measurements().size();
    afterToolEdit(tools.release(planePointAt(event->position())), before);
  }
  dragButton_ = Qt::NoButton;
  panning_ = false;
  toolDrag_ = false;
}

void MprPlaneView::mouseDoubleClickEvent(QMouseEvent* event) {
  if (!hasVolume_) return;
  if (tools_.tool() == Tool2D::LabelPolygon) {
    // Qt sends the double-click in place of the second press: it closes the polygon.
    ToolController2D& tools = tools_.at(state_->sliceIndex(plane_));
    const bool closed = tools.doubleClick(planePointAt(event->position()));
    afterToolEdit(closed, tools.measurements().size());
    if (closed) reportToolError(tools);
    return;
  }
  if (tools_.tool() != Tool2D::Navigate && tools_.tool() != Tool2D::Probe) return;
  ImageViewState& view = state_->view(plane_);
  const PlaneGrid& grid = state_->grid(plane_);
  const int w = view.viewWidth(), h = view.viewHeight();
  view.reset(grid.width, grid.height, {grid.su, grid.sv}, state_->window());
  view.setViewSize(w, h);
  refreshView();
}

void MprPlaneView::keyPressEvent(QKeyEvent* event) {
  if (isToolKey(event->key())) {
    if (!hasVolume_) return;
    ToolController2D& tools = tools_.at(state_->sliceIndex(plane_));
    const std::size_t before = tools.measurements().size();
    const bool changed = *applyToolKey(tools, event->key());
    afterToolEdit(changed, before);
    const bool enter = event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter;
    if (changed && enter) reportToolError(tools);
    event->accept();
    return;
  }
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

void MprPlaneView::leaveEvent(QEvent* event) {
  probeAt_.reset();
  decorations_->update();
  VtkRenderWidget::leaveEvent(event);
}

}  // namespace meridian::viewers
