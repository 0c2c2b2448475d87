#pragma once
// A transparent child widget over a VTK view, painted with QPainter on Qt's raster engine.
// Why not QPainter inside paintGL(): QPainter's GL engine changes GL state (program, blend,
// viewport, textures) behind the back of VTK's cached state, the same trap the bridge
// documents for makeCurrent(); a child widget is composited by Qt over the GL frame instead,
// and window grabs (screenshots) include it. Mouse events pass through to the view.
// Private to meridian_viewers.

#include <QPainter>
#include <QWidget>

#include <functional>

namespace meridian::viewers {

class OverlayCanvas : public QWidget {
 public:
  using Painter = std::function<void(QPainter&)>;

  OverlayCanvas(QWidget* view, Painter paint) : QWidget(view), paint_(std::move(paint)) {
    setAttribute(Qt::WA_TransparentForMouseEvents);
    setAttribute(Qt::WA_NoSystemBackground);
    setAttribute(Qt::WA_TranslucentBackground);
    setFocusPolicy(Qt::NoFocus);
  }

 protected:
  void paintEvent(QPaintEvent*) override {
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing, true);
    paint_(painter);
  }

 private:
  Painter paint_;
};

}  // namespace meridian::viewers
