#pragma once
// What is drawn over an MPR plane by Qt rather than VTK: the crosshair lines, the
// orientation letters at the four edges and the slice number. A transparent child widget on
// top of the plane's GL widget (mouse events pass through), so the rendered plane pixels
// (grabFramebuffer) stay pure image and overlay, while window grabs show the decorations.

#include <QColor>
#include <QPointF>
#include <QString>
#include <QWidget>

#include "meridian/viewers/MprGeometry.hpp"

namespace meridian::viewers {

class MprPlaneDecorations : public QWidget {
  Q_OBJECT
 public:
  MprPlaneDecorations(Plane plane, QWidget* parent);

  /// The crosshair's position in view pixels (nothing drawn when `visible` is false).
  void setCrosshair(QPointF position, bool visible);
  /// "Axial 129 / 256" and the like, top-left.
  void setSliceText(const QString& text);
  /// A short message (e.g. a refused overlay), bottom-left.
  void setNote(const QString& text);

  /// The colour that marks a plane (its frame and its line in the other planes).
  static QColor planeColor(Plane plane);

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  Plane plane_;
  QPointF crosshair_;
  bool crosshairVisible_ = false;
  QString sliceText_;
  QString note_;
};

}  // namespace meridian::viewers
