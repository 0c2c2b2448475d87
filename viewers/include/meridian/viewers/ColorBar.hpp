#pragma once
// The heatmap's colour bar, drawn with QPainter over any viewer: the colour map from the
// layer's value range (maximum at the top), min and max labels, and the threshold as a
// tick when one is set. Shared by the 2D, slide and volume viewers.

#include <QPainter>
#include <QRect>
#include <QSize>

#include "meridian/viewers/HeatmapLayer.hpp"

namespace meridian::viewers {

/// Where the bar goes in a view of `viewSize`: along the right edge, vertically centred,
/// a third of the view's height (the labels sit to its left).
QRect colorBarArea(const QSize& viewSize);

/// Draws the bar in `area` (nothing when the layer has no map).
void paintColorBar(QPainter& painter, const HeatmapLayer& layer, const QRect& area);

}  // namespace meridian::viewers
