// SlideViewer's input: drag, wheel, trackpad, pinch and keys become SlideViewState moves;
// with a tool other than Navigate the left button goes to the ToolController2D first (in
// label coordinates, see labelPointAt()), and pans when the tool does not take it.

#include <QKeyEvent>
#include <QMouseEvent>
#include <QNativeGestureEvent>
#include <QWheelEvent>

#include <cmath>

#include "SlideDecorations.hpp"
#include "ToolKeys.hpp"
#include "meridian/viewers/SlideViewer.hpp"

namespace meridian::viewers {
namespace {
constexpr double kWheelStep = 1.2;         // zoom per wheel notch (120 eighths of a degree)
constexpr double kKeyZoom = 1.25;          // zoom per + / - key
constexpr double kKeyPanFraction = 0.125;  // of the view per arrow key
}  // namespace

void SlideViewer::resizeEvent(QResizeEvent* /*event*/) {
  const bool wasFitted = std::abs(state_.zoom() - state_.fitZoom()) < 1e-9;
  state_.setViewSize(width(), height());
  if (wasFitted || state_.zoom() < state_.fitZoom()) state_.fit();  // a fitted slide stays fitted
  viewMoved();
}

void SlideViewer::mousePressEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton) return;
  lastMouse_ = event->position();
  toolDrag_ = false;
  if (SlideMinimap::frame(state_).contains(event->position().toPoint())) {
    drag_ = Drag::Minimap;
    const auto p = SlideMinimap::slidePointAt(state_, event->position());
    setView(state_.zoom(), p[0], p[1]);
    return;
  }
  if (slide_ && tools_.tool() != Tool2D::Navigate) {
    const std::size_t m = tools_.measurements().size(), l = labels_.annotations().annotations.size();
    toolDrag_ = tools_.press(labelPointAt(event->position()), grabTolerance());
    afterToolEdit(toolDrag_, m, l);
  }
  drag_ = Drag::Pan;
  if (!toolDrag_) setCursor(Qt::ClosedHandCursor);
}

void SlideViewer::mouseMoveEvent(QMouseEvent* event) {
  if (drag_ == Drag::Pan && !toolDrag_) {
    panBy(event->position() - lastMouse_);
  } else if (drag_ == Drag::Minimap) {
    const auto p = SlideMinimap::slidePointAt(state_, event->position());
    setView(state_.zoom(), p[0], p[1]);
  } else if (slide_ && (toolDrag_ || drag_ == Drag::None)) {
    // Drags of the tool, and the rubber band of angles and polygons between clicks.
    if (tools_.move(labelPointAt(event->position()))) update();
  }
  lastMouse_ = event->position();
}

void SlideViewer::mouseReleaseEvent(QMouseEvent* event) {
  if (slide_ && event->button() == Qt::LeftButton && toolDrag_) {
    const std::size_t m = tools_.measurements().size(), l = labels_.annotations().annotations.size();
    afterToolEdit(tools_.release(labelPointAt(event->position())), m, l);
  }
  drag_ = Drag::None;
  toolDrag_ = false;
  if (tools_.tool() == Tool2D::Navigate)
    unsetCursor();
  else
    setCursor(Qt::CrossCursor);
}

void SlideViewer::mouseDoubleClickEvent(QMouseEvent* event) {
  if (SlideMinimap::frame(state_).contains(event->position().toPoint())) return;
  if (tools_.tool() == Tool2D::LabelPolygon) {
    const std::size_t m = tools_.measurements().size(), l = labels_.annotations().annotations.size();
    afterToolEdit(tools_.doubleClick(labelPointAt(event->position())), m, l);
    return;
  }
  if (tools_.tool() == Tool2D::Navigate) resetView();
}

void SlideViewer::wheelEvent(QWheelEvent* event) {
  // A trackpad sends pixel deltas: two-finger scrolling pans, with Ctrl (or a pinch, see
  // event()) it zooms. A mouse wheel sends angle deltas in eighths of a degree: it zooms.
  const QPoint pixels = event->pixelDelta();
  if (!pixels.isNull() && !(event->modifiers() & Qt::ControlModifier)) {
    panBy(QPointF(pixels));
  } else {
    const double notches = (pixels.isNull() ? event->angleDelta().y() : pixels.y() * 4) / 120.0;
    if (notches != 0) zoomAbout(std::pow(kWheelStep, notches), event->position());
  }
  event->accept();
}

bool SlideViewer::event(QEvent* event) {
  if (event->type() == QEvent::NativeGesture) {
    auto* gesture = static_cast<QNativeGestureEvent*>(event);
    if (gesture->gestureType() == Qt::ZoomNativeGesture) {
      zoomAbout(1.0 + gesture->value(), gesture->position());
      return true;
    }
  }
  return QWidget::event(event);
}

void SlideViewer::keyPressEvent(QKeyEvent* event) {
  const QPointF centre(width() / 2.0, height() / 2.0);
  const double stepX = width() * kKeyPanFraction, stepY = height() * kKeyPanFraction;
  const std::size_t m = tools_.measurements().size(), l = labels_.annotations().annotations.size();
  if (const auto changed = applyToolKey(tools_, event->key())) {
    afterToolEdit(*changed, m, l);
    event->accept();
    return;
  }
  switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
      zoomAbout(kKeyZoom, centre);
      break;
    case Qt::Key_Minus:
      zoomAbout(1.0 / kKeyZoom, centre);
      break;
    case Qt::Key_Left:
      panBy({stepX, 0});
      break;  // the slide moves right: we look further left
    case Qt::Key_Right:
      panBy({-stepX, 0});
      break;
    case Qt::Key_Up:
      panBy({0, stepY});
      break;
    case Qt::Key_Down:
      panBy({0, -stepY});
      break;
    case Qt::Key_Home:
      resetView();
      break;
    default:
      QWidget::keyPressEvent(event);
      return;
  }
  event->accept();
}

}  // namespace meridian::viewers
