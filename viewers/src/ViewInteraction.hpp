#pragma once
// Whether the user is in the middle of an interaction with the views (issue 17), for
// VtkRenderWidget's reduced frames: under software GL (Mesa llvmpipe: Xvfb, remote desktops,
// virtual machines) most of a volume viewer frame is the rasteriser filling the view's pixels,
// so while the user drags or scrolls, the views that allow it render at a reduced size
// (ParaView's "image reduction during interaction") and, when the interaction ends, once more
// at full size. One state for the process: there is one mouse, and a drag in one plane
// re-renders the others (window/level, the crosshair).
//
// What counts as interacting, from the events the views receive (VtkRenderWidget::event(),
// before the view's own handlers):
//   - a mouse move with a button held (a drag: window/level, pan, crosshair), until the last
//     button is released; a click without a move stays a click (its frame is full size);
//   - wheel steps and key presses (scrolling, zooming) that follow one another within
//     kIdleMs: the first step of a burst is drawn at full size (a single step needs no
//     second frame), the following ones reduced, and kIdleMs after the last one the
//     interaction ends.

#include <QPointer>

#include <vector>

class QEvent;

namespace meridian::viewers {

class VtkRenderWidget;

class ViewInteraction {
 public:
  /// The pause after a wheel step or key press that ends a burst of them (ms).
  static constexpr int kIdleMs = 150;

  static ViewInteraction& instance();

  /// Takes note of an event a view received.
  void observe(const QEvent& event);
  /// True while frames may be reduced.
  bool active() const { return dragging_ || steps_ >= 2; }
  /// `view` drew a reduced frame: it is asked for a full one when the interaction ends.
  void drewReduced(VtkRenderWidget* view);

 private:
  ViewInteraction() = default;
  void step();
  /// Requests full frames of the views that drew reduced ones, once nothing is active.
  void settle();

  bool dragging_ = false;
  int steps_ = 0;                // wheel steps and key presses in the current burst
  unsigned long long burst_ = 0;  // counts steps, so that only the last one's timer ends a burst
  std::vector<QPointer<VtkRenderWidget>> reduced_;
};

}  // namespace meridian::viewers
