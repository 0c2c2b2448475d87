#pragma once
// What is drawn over an MPR plane by Qt rather than VTK: the crosshair lines,
// the orientation letters at the four edges and the slice number, and whatever
// the plane adds (measurements, probe readout, the heatmap's colour bar). A
// transparent child widget on top of the plane's GL widget (mouse events pass
// through), so the rendered plane pixels (grabFramebuffer) stay pure image and
// overlay, while window grabs show the decorations.

#include <QColor>
#include <QPointF>
#include <QString>
#include <QWidget>

#include <functional>

#include "meridian/viewers/MprGeometry.hpp"

class QPainter;

namespace meridian::viewers {

class MprPlaneDecorations : public QWidget {
  Q_OBJECT
public:
  MprPlaneDecorations(Plane plane, QWidget *parent);

  /// The crosshair's position in view pixels (nothing drawn when `visible` is
  /// false).
  void setCrosshair(QPointF position, bool visible);
  /// "Axial 129 / 256" and the like, top-left.
  void setSliceText(const QString &text);
  /// A short message (e.g. a refused overlay), bottom-left.
  void setNote(const QString &text);

  /// Called at the end of each paint, on top of the decorations (antialiasing
  /// on).
  void setOverlayPainter(std::function<void(QPainter &)> paint) {
    overlayPainter_ = std::move(paint);
  }

  /// The colour that marks a plane (its frame and its line in the other
  /// planes).
  static QColor planeColor(Plane plane);

protected:
  void paintEvent(QPaintEvent *event) override;

private:
  /// Where the slice text is drawn (top left), to repaint only that when it
  /// changes.
  QRect sliceTextArea() const;

  Plane plane_;
  QPointF crosshair_;
  bool crosshairVisible_ = false;
  QString sliceText_;
  QString note_;
  std::function<void(QPainter &)> overlayPainter_;
};

} // namespace meridian::viewers
