#pragma once
// What the 2D and slide viewers draw over the image, in view coordinates: the heatmap and
// label-map rasters, label shapes in class colours, measurements with their values, the
// shape being drawn, and the probe readout. Each viewer passes its own image -> view
// mapping (ImageViewState, SlideViewState) and its own measurement texts (ROI statistics
// need pixels the 2D viewer has and a slide viewer does not). Private to meridian_viewers.

#include <QImage>
#include <QPainter>
#include <QString>

#include <functional>
#include <optional>
#include <string>

#include "meridian/viewers/LabelLayer.hpp"
#include "meridian/viewers/ToolController2D.hpp"

namespace meridian::viewers::overlay2d {

/// Image pixel coordinates (centres on integers; level-0 pixels for slides) -> view pixels.
using ImageToView = std::function<QPointF(Point2)>;
/// What is written beside a measurement (its value, or why there is none).
using MeasurementText = std::function<std::string(const Measurement&)>;

/// Draws `raster` (premultiplied RGBA covering the whole image, any resolution) over the
/// image's extent; smooth scaling for interpolated maps, blocky for label maps.
void paintRaster(QPainter& painter, const ImageToView& toView, const QImage& raster, int imageWidth, int imageHeight,
                 bool smooth);

void paintLabels(QPainter& painter, const ImageToView& toView, const LabelLayer& labels);

void paintMeasurements(QPainter& painter, const ImageToView& toView, const ToolController2D& tools,
                       const MeasurementText& text);

/// Text at `at` (view pixels) with a dark halo so it reads on any image.
void paintLabelText(QPainter& painter, QPointF at, const QString& text, QColor color = QColor(255, 230, 0));

}  // namespace meridian::viewers::overlay2d
