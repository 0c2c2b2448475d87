#include "meridian/ui/SliceCurveView.hpp"

#include <QChart>
#include <algorithm>
#include <QLineSeries>
#include <QMouseEvent>
#include <QValueAxis>

#include "meridian/ui/ModelResults.hpp"

namespace meridian::ui {

SliceCurveView::SliceCurveView(QWidget* parent) : QChartView(parent) {
  auto* chart = new QChart();
  chart->legend()->hide();
  chart->setMargins(QMargins(2, 2, 2, 2));
  series_ = new QLineSeries(chart);
  marker_ = new QLineSeries(chart);
  marker_->setPen(QPen(QColor(220, 40, 40), 1.5, Qt::DashLine));
  chart->addSeries(series_);
  chart->addSeries(marker_);
  x_ = new QValueAxis(chart);
  y_ = new QValueAxis(chart);
  x_->setTitleText(tr("axial slice"));
  x_->setLabelFormat(QStringLiteral("%d"));
  y_->setRange(0.0, 1.0);
  y_->setLabelFormat(QStringLiteral("%.1f"));
  chart->addAxis(x_, Qt::AlignBottom);
  chart->addAxis(y_, Qt::AlignLeft);
  for (auto* s : {series_, marker_}) {
    s->attachAxis(x_);
    s->attachAxis(y_);
  }
  setChart(chart);
  setRenderHint(QPainter::Antialiasing);
  setMinimumHeight(140);
  setToolTip(tr("Click the curve to show that slice"));
}

void SliceCurveView::setCurve(const std::vector<float>& curve, const QString& label) {
  curve_ = curve;
  QList<QPointF> points;
  points.reserve(static_cast<qsizetype>(curve.size()));
  for (std::size_t k = 0; k < curve.size(); ++k) points.append(QPointF(static_cast<double>(k), curve[k]));
  series_->replace(points);
  x_->setRange(0.0, std::max(1.0, static_cast<double>(curve.size()) - 1.0));
  y_->setTitleText(curve.empty() ? QString() : tr("P(%1)").arg(label));
  chart()->setTitle(curve.empty() ? QString() : tr("%1 per slice").arg(label));
  marked_ = -1;
  marker_->clear();
}

void SliceCurveView::markSlice(int k) {
  if (k < 0 || k >= slices()) return;
  marked_ = k;
  marker_->replace(QList<QPointF>{QPointF(k, 0.0), QPointF(k, 1.0)});
}

int SliceCurveView::sliceAt(const QPointF& pos) const {
  if (curve_.empty() || !chart()->plotArea().contains(pos)) return -1;
  const QPointF value = chart()->mapToValue(pos, series_);
  return sliceAtCurvePosition(value.x(), slices()).value_or(-1);
}

void SliceCurveView::mousePressEvent(QMouseEvent* event) {
  const int k = sliceAt(event->position());
  if (k >= 0) {
    markSlice(k);
    Q_EMIT sliceRequested(k);
    event->accept();
    return;
  }
  QChartView::mousePressEvent(event);
}

}  // namespace meridian::ui
