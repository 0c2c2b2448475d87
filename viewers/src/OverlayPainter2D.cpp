#include "OverlayPainter2D.hpp"

#include <QPainterPath>

#include <cmath>

namespace meridian::viewers::overlay2d {
namespace {

const QColor kMeasureColor(255, 230, 0);

QPolygonF outline(const ImageToView& toView, const std::vector<Point2>& points) {
  QPolygonF polygon;
  for (const auto& p : points) polygon << toView(p);
  return polygon;
}

QRectF viewRect(const ImageToView& toView, Point2 a, Point2 b) {
  return QRectF(toView(a), toView(b)).normalized();
}

void paintHandle(QPainter& painter, QPointF at, QColor color) {
  painter.setPen(QPen(Qt::black, 1));
  painter.setBrush(color);
  painter.drawRect(QRectF(at.x() - 3.5, at.y() - 3.5, 7, 7));
}

void paintMeasurementShape(QPainter& painter, const ImageToView& toView, Measurement::Kind kind,
                           const std::vector<Point2>& points) {
  painter.setPen(QPen(kMeasureColor, 1.5));
  painter.setBrush(Qt::NoBrush);
  switch (kind) {
    case Measurement::Kind::Distance:
    case Measurement::Kind::Angle:
      painter.drawPolyline(outline(toView, points));
      for (const auto& p : points) painter.drawEllipse(toView(p), 2.5, 2.5);
      break;
    case Measurement::Kind::RectangleRoi:
      if (points.size() == 2) painter.drawRect(viewRect(toView, points[0], points[1]));
      break;
    case Measurement::Kind::EllipseRoi:
      if (points.size() == 2) painter.drawEllipse(viewRect(toView, points[0], points[1]));
      break;
  }
}

}  // namespace

void paintLabelText(QPainter& painter, QPointF at, const QString& text, QColor color) {
  painter.save();
  QPainterPath path;
  path.addText(at, painter.font(), text);
  painter.setPen(QPen(QColor(0, 0, 0, 200), 3, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
  painter.setBrush(Qt::NoBrush);
  painter.drawPath(path);
  painter.setPen(Qt::NoPen);
  painter.setBrush(color);
  painter.drawPath(path);
  painter.restore();
}

void paintRaster(QPainter& painter, const ImageToView& toView, const QImage& raster, int imageWidth, int imageHeight,
                 bool smooth) {
  if (raster.isNull()) return;
  painter.save();
  painter.setRenderHint(QPainter::SmoothPixmapTransform, smooth);
  painter.drawImage(viewRect(toView, {-0.5, -0.5}, {imageWidth - 0.5, imageHeight - 0.5}), raster);
  painter.restore();
}

void paintLabels(QPainter& painter, const ImageToView& toView, const LabelLayer& labels) {
  painter.save();
  for (const auto& a : labels.annotations().annotations) {
    const auto rgb = labels.colorOf(a.className);
    const QColor color(rgb[0], rgb[1], rgb[2]);
    const bool selected = a.id == labels.selected();
    QColor fill = color;
    fill.setAlpha(selected ? 70 : 40);
    painter.setPen(QPen(color, selected ? 2.5 : 1.8));
    painter.setBrush(fill);
    const auto handles = LabelLayer::handles(a);
    switch (a.shape) {
      case core::AnnotationShape::Point:
        for (const auto& p : a.points) painter.drawEllipse(toView(p), 4.5, 4.5);
        break;
      case core::AnnotationShape::Rectangle:
      case core::AnnotationShape::Polygon:
        painter.drawPolygon(outline(toView, handles));
        break;
    }
    if (selected)
      for (const auto& h : handles) paintHandle(painter, toView(h), color);
    const QString caption = QString::fromStdString(a.name.empty() ? a.className : a.name);
    if (!caption.isEmpty() && !handles.empty())
      paintLabelText(painter, toView(handles.front()) + QPointF(4, -6), caption, color);
  }
  painter.restore();
}

void paintMeasurements(QPainter& painter, const ImageToView& toView, const ToolController2D& tools,
                       const MeasurementText& text) {
  painter.save();
  for (const auto& m : tools.measurements()) {
    paintMeasurementShape(painter, toView, m.kind, m.points);
    if (m.points.empty()) continue;
    // Beside the last point for lines, below the box for ROIs.
    const bool roi = m.kind == Measurement::Kind::RectangleRoi || m.kind == Measurement::Kind::EllipseRoi;
    QPointF at = toView(m.kind == Measurement::Kind::Angle ? m.points[1] : m.points.back()) + QPointF(8, -8);
    if (roi && m.points.size() == 2) {
      const QRectF box = viewRect(toView, m.points[0], m.points[1]);
      at = QPointF(box.left(), box.bottom() + painter.fontMetrics().height());
    }
    paintLabelText(painter, at, QString::fromStdString(text(m)));
  }
  if (const auto& draft = tools.draft()) {
    painter.setPen(QPen(kMeasureColor, 1, Qt::DashLine));
    painter.setBrush(Qt::NoBrush);
    const auto& p = draft->points;
    switch (draft->tool) {
      case Tool2D::RectangleRoi:
      case Tool2D::LabelRectangle:
        if (p.size() == 2) painter.drawRect(viewRect(toView, p[0], p[1]));
        break;
      case Tool2D::EllipseRoi:
        if (p.size() == 2) painter.drawEllipse(viewRect(toView, p[0], p[1]));
        break;
      default:
        painter.drawPolyline(outline(toView, p));
        break;
    }
    // Live value while drawing a distance or an angle.
    if (draft->tool == Tool2D::Distance && p.size() == 2)
      paintLabelText(painter, toView(p[1]) + QPointF(8, -8),
                     QString::fromStdString(text({Measurement::Kind::Distance, p})));
    if (draft->tool == Tool2D::Angle && p.size() == 3)
      paintLabelText(painter, toView(p[1]) + QPointF(8, -8),
                     QString::fromStdString(text({Measurement::Kind::Angle, p})));
  }
  painter.restore();
}

}  // namespace meridian::viewers::overlay2d
