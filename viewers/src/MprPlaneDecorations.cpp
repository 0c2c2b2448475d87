#include "meridian/viewers/MprPlaneDecorations.hpp"

#include <QPainter>
#include <QRegion>

#include <cmath>

namespace meridian::viewers {

MprPlaneDecorations::MprPlaneDecorations(Plane plane, QWidget *parent)
    : QWidget(parent), plane_(plane) {
  setAttribute(Qt::WA_TransparentForMouseEvents);
  setAttribute(Qt::WA_NoSystemBackground);
}

QColor MprPlaneDecorations::planeColor(Plane plane) {
  switch (plane) {
  case Plane::Axial:
    return QColor(255, 80, 80); // red, as in 3D Slicer
  case Plane::Coronal:
    return QColor(80, 200, 80); // green
  case Plane::Sagittal:
    return QColor(240, 210, 60); // yellow
  }
  return Qt::white;
}

// The setters repaint only on a change: every refresh of the viewer sets all of
// them on all three planes, and each repaint of this widget costs a raster
// paint and a re-composition of the window over the GL frames (most of a
// frame's time under software GL). Only the strips under the old and the new
// lines are repainted: scrolling one plane moves the crosshair of the other
// two, and repainting their whole area (and the view beneath) would cost more
// than the scrolled plane's own frame.
void MprPlaneDecorations::setCrosshair(QPointF position, bool visible) {
  if (position == crosshair_ && visible == crosshairVisible_)
    return;
  QRegion dirty;
  const auto lines = [this](QPointF at) {
    constexpr int kHalf =
        3; // the 1 px line, antialiasing and rounding either side
    const int x = static_cast<int>(std::floor(at.x())),
              y = static_cast<int>(std::floor(at.y()));
    return QRegion(x - kHalf, 0, 2 * kHalf + 1, height()) +
           QRegion(0, y - kHalf, width(), 2 * kHalf + 1);
  };
  if (crosshairVisible_)
    dirty += lines(crosshair_);
  if (visible)
    dirty += lines(position);
  crosshair_ = position;
  crosshairVisible_ = visible;
  update(dirty);
}

void MprPlaneDecorations::setSliceText(const QString &text) {
  if (text == sliceText_)
    return;
  sliceText_ = text;
  update(sliceTextArea());
}

QRect MprPlaneDecorations::sliceTextArea() const {
  // Two lines of the slice text's font below the 6 px margin (paintEvent's
  // layout).
  return QRect(0, 0, width(), 6 + 2 * (fontMetrics().height() + 4) + 6);
}

void MprPlaneDecorations::setNote(const QString &text) {
  if (text == note_)
    return;
  note_ = text;
  update();
}

void MprPlaneDecorations::paintEvent(QPaintEvent *) {
  QPainter painter(this);
  painter.setRenderHint(QPainter::Antialiasing, false);
  painter.setPen(QPen(planeColor(plane_), 2));
  painter.drawRect(rect().adjusted(1, 1, -1, -1));

  if (crosshairVisible_) {
    // The other two planes cross this one along a vertical and a horizontal
    // line; each line takes the colour of the plane it stands for. A gap around
    // the centre keeps the voxel under the crosshair visible.
    const Plane vertical =
        plane_ == Plane::Sagittal ? Plane::Coronal : Plane::Sagittal;
    const Plane horizontal =
        plane_ == Plane::Axial ? Plane::Coronal : Plane::Axial;
    constexpr double kGap = 8.0;
    const double x = crosshair_.x(), y = crosshair_.y();
    painter.setPen(QPen(planeColor(vertical), 1));
    painter.drawLine(QPointF(x, 0), QPointF(x, y - kGap));
    painter.drawLine(QPointF(x, y + kGap), QPointF(x, height()));
    painter.setPen(QPen(planeColor(horizontal), 1));
    painter.drawLine(QPointF(0, y), QPointF(x - kGap, y));
    painter.drawLine(QPointF(x + kGap, y), QPointF(width(), y));
  }

  const OrientationLabels labels = orientationLabels(plane_);
  QFont font = painter.font();
  font.setBold(true);
  font.setPointSizeF(font.pointSizeF() * 1.2);
  painter.setFont(font);
  painter.setPen(QColor(255, 220, 120));
  const QRect area = rect().adjusted(6, 6, -6, -6);
  painter.drawText(area, Qt::AlignLeft | Qt::AlignVCenter,
                   QString(QChar(labels.left)));
  painter.drawText(area, Qt::AlignRight | Qt::AlignVCenter,
                   QString(QChar(labels.right)));
  painter.drawText(area, Qt::AlignHCenter | Qt::AlignTop,
                   QString(QChar(labels.top)));
  painter.drawText(area, Qt::AlignHCenter | Qt::AlignBottom,
                   QString(QChar(labels.bottom)));
  painter.setFont(QFont(font.family(), font.pointSize() - 1));
  painter.setPen(Qt::white);
  painter.drawText(area, Qt::AlignLeft | Qt::AlignTop, sliceText_);
  if (!note_.isEmpty()) {
    painter.setPen(QColor(255, 150, 120));
    painter.drawText(area.adjusted(0, 0, 0, -24),
                     Qt::AlignLeft | Qt::AlignBottom | Qt::TextWordWrap, note_);
  }
  if (overlayPainter_) {
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing, true);
    painter.setFont(QWidget::font());
    overlayPainter_(painter);
    painter.restore();
  }
}

} // namespace meridian::viewers
