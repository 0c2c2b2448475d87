#include "ViewInteraction.hpp"

#include <QCoreApplication>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QTimer>

#include <algorithm>

#include "meridian/viewers/VtkRenderWidget.hpp"

namespace meridian::viewers {

ViewInteraction& ViewInteraction::instance() {
  static ViewInteraction interaction;
  return interaction;
}

void ViewInteraction::observe(const QEvent& event) {
  switch (event.type()) {
    case QEvent::MouseMove:
      if (static_cast<const QMouseEvent&>(event).buttons() != Qt::NoButton) {
        dragging_ = true;
      } else if (dragging_) {  // the release went to another widget: the drag is over all the same
        dragging_ = false;
        settle();
      }
      break;
    case QEvent::MouseButtonRelease:
      if (static_cast<const QMouseEvent&>(event).buttons() == Qt::NoButton && dragging_) {
        dragging_ = false;
        settle();
      }
      break;
    case QEvent::Wheel:
      step();
      break;
    case QEvent::KeyPress:
      // A modifier pressed before Ctrl+wheel is not a step of its own.
      switch (static_cast<const QKeyEvent&>(event).key()) {
        case Qt::Key_Shift:
        case Qt::Key_Control:
        case Qt::Key_Alt:
        case Qt::Key_Meta: break;
        default: step();
      }
      break;
    default:
      break;
  }
}

void ViewInteraction::step() {
  ++steps_;
  const unsigned long long burst = ++burst_;
  QTimer::singleShot(kIdleMs, QCoreApplication::instance(), [this, burst] {
    if (burst != burst_) return;  // a later step's timer ends the burst
    steps_ = 0;
    settle();
  });
}

void ViewInteraction::drewReduced(VtkRenderWidget* view) {
  if (std::find(reduced_.begin(), reduced_.end(), view) == reduced_.end()) reduced_.emplace_back(view);
}

void ViewInteraction::settle() {
  if (active()) return;
  std::vector<QPointer<VtkRenderWidget>> views;
  views.swap(reduced_);
  for (const QPointer<VtkRenderWidget>& view : views)
    if (view) view->requestRender();
}

}  // namespace meridian::viewers
