#pragma once
// What the 2D viewer draws over the image, in view coordinates from ImageViewState: the
// heatmap and label-map rasters, label shapes in class colours, measurements with their
// values, the shape being drawn, and the probe readout. Private to meridian_viewers.

#include <QImage>
#include <QPainter>
#include <QString>

#include <optional>

#include "meridian/core/Image2D.hpp"
#include "meridian/viewers/ImageViewState.hpp"
#include "meridian/viewers/LabelLayer.hpp"
#include "meridian/viewers/ToolController2D.hpp"

namespace meridian::viewers::overlay2d {

/// Draws `raster` (premultiplied RGBA covering the whole image, any resolution) over the
/// image's extent; smooth scaling for interpolated maps, blocky for label maps.
void paintRaster(QPainter& painter, const ImageViewState& state, const QImage& raster, int imageWidth, int imageHeight,
                 bool smooth);

void paintLabels(QPainter& painter, const ImageViewState& state, const LabelLayer& labels);

void paintMeasurements(QPainter& painter, const ImageViewState& state, const ToolController2D& tools,
                       const core::Image2D& image, const std::string& valueUnit);

/// Text at `at` (view pixels) with a dark halo so it reads on any image.
void paintLabelText(QPainter& painter, QPointF at, const QString& text, QColor color = QColor(255, 230, 0));

}  // namespace meridian::viewers::overlay2d
