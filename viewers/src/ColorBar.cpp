#include "meridian/viewers/ColorBar.hpp"

#include <QFontMetrics>
#include <QImage>

#include <algorithm>
#include <cmath>

namespace meridian::viewers {

QRect colorBarArea(const QSize& viewSize) {
  constexpr int kWidth = 16, kMargin = 14;
  const int height = std::max(60, viewSize.height() / 3);
  return {viewSize.width() - kWidth - kMargin, (viewSize.height() - height) / 2, kWidth, height};
}

void paintColorBar(QPainter& painter, const HeatmapLayer& layer, const QRect& area) {
  if (!layer.hasMap() || area.height() < 2) return;
  painter.save();
  // The full colour map, opaque: the bar is a legend, not a copy of the blended overlay.
  QImage gradient(1, area.height(), QImage::Format_RGB888);
  for (int y = 0; y < area.height(); ++y) {
    const auto c = core::colorAt(layer.colorMap(), 1.0 - static_cast<double>(y) / (area.height() - 1));
    gradient.setPixel(0, y, qRgb(c[0], c[1], c[2]));
  }
  painter.drawImage(area, gradient);
  painter.setPen(QPen(QColor(230, 230, 230), 1));
  painter.setBrush(Qt::NoBrush);
  painter.drawRect(area.adjusted(0, 0, -1, -1));

  const auto range = layer.valueRange();
  const QFontMetrics metrics(painter.font());
  // A value a millionth of the range away from zero is zero that rounding left behind
  // (softmax maps): "0" reads better than "3.04e-18".
  const double negligible = 1e-6 * std::max(std::abs(range[0]), std::abs(range[1]));
  const auto label = [&](double value, int y) {
    const QString text = QString::number(std::abs(value) < negligible ? 0.0 : value, 'g', 3);
    const QRect box(area.left() - 6 - metrics.horizontalAdvance(text), y - metrics.height() / 2,
                    metrics.horizontalAdvance(text), metrics.height());
    painter.setPen(QColor(0, 0, 0, 160));  // a shadow keeps the text legible on bright images
    painter.drawText(box.translated(1, 1), Qt::AlignRight | Qt::AlignVCenter, text);
    painter.setPen(QColor(240, 240, 240));
    painter.drawText(box, Qt::AlignRight | Qt::AlignVCenter, text);
  };
  label(range[1], area.top());
  label(range[0], area.bottom());
  if (const auto threshold = layer.threshold(); threshold && range[1] > range[0]) {
    const double t = std::clamp((*threshold - range[0]) / (range[1] - range[0]), 0.0, 1.0);
    const int y = area.bottom() - static_cast<int>(t * (area.height() - 1));
    painter.setPen(QPen(Qt::white, 2));
    painter.drawLine(area.left() - 4, y, area.right() + 1, y);
  }
  painter.restore();
}

}  // namespace meridian::viewers
