#include "SlideDecorations.hpp"

#include <QFontMetrics>
#include <QObject>

#include <algorithm>
#include <cmath>

#include "meridian/viewers/ColorBar.hpp"

namespace meridian::viewers {

QRect SlideMinimap::frame(const SlideViewState& state) {
  if (!state.hasSlide() || state.viewWidth() < 3 * kLongSide || state.viewHeight() < 2 * kLongSide) return {};
  const auto& l0 = state.levels().front();
  const double scale = kLongSide / static_cast<double>(std::max(l0.width, l0.height));
  const int w = std::max(1, static_cast<int>(std::lround(l0.width * scale)));
  const int h = std::max(1, static_cast<int>(std::lround(l0.height * scale)));
  return {state.viewWidth() - w - kMargin, kMargin, w, h};
}

std::array<double, 2> SlideMinimap::slidePointAt(const SlideViewState& state, QPointF p) {
  const QRect f = frame(state);
  if (f.isEmpty()) return state.centre();
  const auto& l0 = state.levels().front();
  return {(p.x() - f.left()) / f.width() * static_cast<double>(l0.width),
          (p.y() - f.top()) / f.height() * static_cast<double>(l0.height)};
}

void SlideMinimap::paint(QPainter& painter, const SlideViewState& state, const QImage& thumbnail) {
  const QRect f = frame(state);
  if (f.isEmpty()) return;
  painter.save();
  painter.setRenderHint(QPainter::SmoothPixmapTransform, true);
  painter.fillRect(f.adjusted(-2, -2, 2, 2), QColor(40, 40, 40, 200));
  painter.fillRect(f, Qt::white);
  if (!thumbnail.isNull()) painter.drawImage(f, thumbnail);
  // The viewport, clipped to the slide so it never leaves the minimap.
  const auto& l0 = state.levels().front();
  const SlideRect r = state.visibleRect();
  const double sx = f.width() / static_cast<double>(l0.width), sy = f.height() / static_cast<double>(l0.height);
  QRectF viewport(f.left() + r.x0 * sx, f.top() + r.y0 * sy, (r.x1 - r.x0) * sx, (r.y1 - r.y0) * sy);
  viewport = viewport.intersected(QRectF(f));
  painter.setPen(QPen(QColor(230, 30, 30), 2));
  painter.setBrush(Qt::NoBrush);
  painter.drawRect(viewport.adjusted(0, 0, -1, -1));
  painter.restore();
}

QRect slideColorBarArea(const SlideViewState& state) {
  const QSize view(state.viewWidth(), state.viewHeight());
  QRect area = colorBarArea(view);
  const QRect minimap = SlideMinimap::frame(state);
  // The bar's value labels sit to its left, half a text line above its top: keep a margin.
  const int below = minimap.isEmpty() ? 0 : minimap.bottom() + 2 * SlideMinimap::kMargin;
  if (area.top() < below) {
    const int bottomLimit = view.height() - 2 * SlideMinimap::kMargin;
    const int height = area.height();
    area.moveTop(below);
    area.setBottom(std::min(bottomLimit, below + height - 1));
  }
  return area;
}

void paintScaleBar(QPainter& painter, const SlideViewState& state) {
  if (!state.hasSlide()) return;
  const ScaleBarChoice bar = state.scaleBar();
  const std::string magnification = state.magnificationText();
  const QString scaleText = QString::fromStdString(bar.label);
  const QString magText = magnification.empty() ? QObject::tr("mpp unknown") : QString::fromStdString(magnification);
  painter.save();
  const QFontMetrics fm(painter.font());
  const int barLength = static_cast<int>(std::lround(bar.screenPixels));
  const int pad = 8;
  const int width = std::max(barLength, fm.horizontalAdvance(scaleText)) + fm.horizontalAdvance(magText) + 4 * pad;
  const int height = fm.height() + 3 * pad;
  const QRect box(12, state.viewHeight() - height - 12, width, height);
  painter.fillRect(box, QColor(255, 255, 255, 210));
  painter.setPen(Qt::black);
  const int barY = box.bottom() - pad;
  const QRect bar0(box.left() + pad, barY - 5, barLength, 5);
  painter.fillRect(bar0, Qt::black);
  painter.drawText(QRect(box.left() + pad, box.top() + pad / 2, barLength, fm.height()), Qt::AlignCenter, scaleText);
  QFont bold = painter.font();
  bold.setBold(true);
  painter.setFont(bold);
  painter.drawText(QRect(box.left() + 2 * pad + std::max(barLength, fm.horizontalAdvance(scaleText)), box.top(),
                         fm.horizontalAdvance(magText) + 2 * pad, box.height()),
                   Qt::AlignCenter, magText);
  painter.restore();
}

void paintErrorTile(QPainter& painter, const QRect& target, const QString& reason) {
  painter.save();
  painter.setClipRect(target);
  painter.fillRect(target, QColor(255, 235, 235));
  painter.fillRect(target, QBrush(QColor(220, 0, 0), Qt::BDiagPattern));
  painter.setPen(QPen(QColor(200, 0, 0), 2));
  painter.drawRect(target.adjusted(1, 1, -1, -1));
  if (target.width() > 60 && target.height() > 30) {
    painter.setPen(QColor(140, 0, 0));
    painter.drawText(target.adjusted(6, 6, -6, -6), Qt::AlignCenter | Qt::TextWordWrap,
                     QObject::tr("Tile could not be read\n%1").arg(reason));
  }
  painter.restore();
}

}  // namespace meridian::viewers
