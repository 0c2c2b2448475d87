// SlideViewer's OverlayTarget side: tools, the label layer, measurements in µm, what is
// painted over the tiles (labels, measurements, the heatmap's colour bar) and screenshots.

#include <QPainter>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "OverlayPainter2D.hpp"
#include "SlideDecorations.hpp"
#include "meridian/viewers/ColorBar.hpp"
#include "meridian/viewers/SlideViewer.hpp"

namespace meridian::viewers {
namespace {

constexpr double kGrabScreenPixels = 6.0;  // how far a grab may miss a vertex, on screen

std::string format(const char* pattern, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, pattern, value);
  return buffer;
}

// A slide's lengths run from a few µm (a nucleus) to centimetres (a section): µm below a
// millimetre, mm above.
std::string lengthText(const Length& length) {
  if (!length.physical) return format("%.1f px (no mpp)", length.value);
  const double microns = length.value * 1000.0;
  if (length.value >= 1.0) return format("%.2f mm", length.value);
  return format(microns >= 100.0 ? "%.1f \u00b5m" : "%.2f \u00b5m", microns);
}

}  // namespace

// --- the one place where label coordinates and SlideViewState's meet -------------------
// Labels, measurements and GeoJSON use pixel centres on integers (level-0 pixel (i, j)
// covers [i - 0.5, i + 0.5)); SlideViewState puts pixel i over [i, i + 1). So a label
// point p is the slide point p + 0.5, and a slide point s is the label point s - 0.5.

Point2 SlideViewer::labelPointAt(QPointF viewPos) const {
  const auto s = state_.viewToSlide(viewPos.x(), viewPos.y());
  return {s[0] - 0.5, s[1] - 0.5};
}

QPointF SlideViewer::labelToView(Point2 p) const {
  const auto v = state_.slideToView(p[0] + 0.5, p[1] + 0.5);
  return {v[0], v[1]};
}

double SlideViewer::grabTolerance() const {
  return kGrabScreenPixels / std::max(state_.zoom(), 1e-9);
}

// --- OverlayTarget -----------------------------------------------------------------------

bool SlideViewer::supportsTool(Tool2D tool) const {
  switch (tool) {
    case Tool2D::Navigate:
    case Tool2D::Distance:
    case Tool2D::Angle:
    case Tool2D::LabelPoint:
    case Tool2D::LabelRectangle:
    case Tool2D::LabelPolygon:
    case Tool2D::EditLabels:
      return true;
    case Tool2D::Probe:  // pixel values: read on worker threads only, never under the mouse
    case Tool2D::RectangleRoi:
    case Tool2D::EllipseRoi:
      return false;
  }
  return false;
}

void SlideViewer::setTool(Tool2D tool) {
  if (!supportsTool(tool)) tool = Tool2D::Navigate;
  tools_.setTool(tool);
  // Angle and polygon rubber bands follow the mouse between clicks.
  setMouseTracking(tool != Tool2D::Navigate);
  if (tool == Tool2D::Navigate)
    unsetCursor();
  else
    setCursor(Qt::CrossCursor);
  update();
}

void SlideViewer::setLabelClass(const QString& name) {
  tools_.setLabelClass(name.toStdString());
}

void SlideViewer::setAnnotations(core::AnnotationSet set) {
  tools_.cancel();
  if (const auto dropped = LabelLayer::dropVolumeShapes(set))
    Q_EMIT statusMessage(tr("%1 shape(s) drawn on a volume's planes left out").arg(dropped));
  labels_.setAnnotations(std::move(set));
  update();
  Q_EMIT annotationsChanged();
}

void SlideViewer::clearMeasurements() {
  tools_.clearMeasurements();
  update();
}

bool SlideViewer::saveScreenshot(const QString& path) {
  return grab().save(path, "PNG");
}

void SlideViewer::resetOverlays() {
  tools_.cancel();
  tools_.clearMeasurements();
  const bool hadLabels = !labels_.annotations().annotations.empty();
  labels_.setAnnotations({});
  if (hadLabels) Q_EMIT annotationsChanged();
}

std::string SlideViewer::measurementText(const Measurement& m) const {
  // PixelScale takes mm per pixel; a slide records µm per pixel.
  PixelScale scale;
  if (const auto& mpp = state_.micronsPerPixel())
    scale.spacing = std::array<double, 2>{(*mpp)[0] / 1000.0, (*mpp)[1] / 1000.0};
  switch (m.kind) {
    case Measurement::Kind::Distance:
      if (m.points.size() != 2) return "needs two points";
      return lengthText(measureDistance(m.points[0], m.points[1], scale));
    case Measurement::Kind::Angle: {
      if (m.points.size() != 3) return "needs three points";
      const auto angle = measureAngle(m.points[0], m.points[1], m.points[2], scale);
      return angle ? format("%.1f\u00b0", *angle) : std::string("arms of zero length");
    }
    case Measurement::Kind::RectangleRoi:
    case Measurement::Kind::EllipseRoi:
      return "ROI statistics are not available on slides";
  }
  return {};
}

void SlideViewer::afterToolEdit(bool changed, std::size_t measurementsBefore, std::size_t labelsBefore) {
  if (!changed) return;
  update();
  if (!tools_.lastError().empty()) Q_EMIT statusMessage(QString::fromStdString(tools_.lastError()));
  if (tools_.measurements().size() > measurementsBefore)
    Q_EMIT statusMessage(QString::fromStdString(measurementText(tools_.measurements().back())));
  if (labels_.annotations().annotations.size() != labelsBefore || tools_.tool() == Tool2D::EditLabels)
    Q_EMIT annotationsChanged();
}

// --- painting ----------------------------------------------------------------------------

std::size_t SlideViewer::overlayTileLimit() const {
  // Rendered heatmap and label-map tiles (up to 256 KB each) are kept for about three
  // screens' worth of the level in view, at least 128: a 4K view holds more tiles than that,
  // and a smaller cache would be cleared half-way through every frame.
  const auto inView = static_cast<std::size_t>(state_.visibleTiles(state_.fittingLevel()).count());
  return std::max<std::size_t>(128, 3 * inView);
}

void SlideViewer::paintOverlays(QPainter& painter) {
  painter.save();
  painter.setRenderHint(QPainter::Antialiasing, true);
  const overlay2d::ImageToView toView = [this](Point2 p) { return labelToView(p); };
  overlay2d::paintLabels(painter, toView, labels_);
  overlay2d::paintMeasurements(painter, toView, tools_, [this](const Measurement& m) { return measurementText(m); });
  if (heatmapVisible_ && heatmap_.hasMap()) paintColorBar(painter, heatmap_, slideColorBarArea(state_));
  painter.restore();
}

}  // namespace meridian::viewers
