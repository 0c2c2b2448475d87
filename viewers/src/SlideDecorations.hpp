#pragma once
// What the slide viewer draws over the tiles: the minimap (overview + viewport rectangle),
// the scale bar with the magnification, the colour bar's place, and the error tile for
// reads that failed.
// Private to meridian_viewers.

#include <QImage>
#include <QPainter>
#include <QRect>

#include "meridian/viewers/SlideViewState.hpp"

namespace meridian::viewers {

/// The overview in the top-right corner: where it sits and how its pixels map to the slide.
class SlideMinimap {
 public:
  static constexpr int kLongSide = 200;  // screen pixels
  static constexpr int kMargin = 12;

  /// The minimap's frame for this state (empty when the view is too small for one).
  static QRect frame(const SlideViewState& state);
  /// Level-0 point under view pixel `p` inside the frame.
  static std::array<double, 2> slidePointAt(const SlideViewState& state, QPointF p);
  /// Thumbnail (may be partly filled while the coarsest level loads) and viewport rectangle.
  static void paint(QPainter& painter, const SlideViewState& state, const QImage& thumbnail);
};

/// Where the heatmap's colour bar goes: colorBarArea()'s place along the right edge, moved
/// down below the minimap (and shortened to fit) when the two would overlap in a short view.
QRect slideColorBarArea(const SlideViewState& state);

/// The scale bar (a round length in µm, px without mpp) and the magnification, bottom left.
void paintScaleBar(QPainter& painter, const SlideViewState& state);

/// A tile whose read failed: red hatching, a border and the reason, clipped to `target`.
void paintErrorTile(QPainter& painter, const QRect& target, const QString& reason);

}  // namespace meridian::viewers
