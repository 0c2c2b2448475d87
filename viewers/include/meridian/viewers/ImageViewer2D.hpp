#pragma once
// The 2D viewer: one image (grayscale or RGB) drawn through VTK, wheel to zoom about the
// cursor, left-drag to pan, right-drag for window/level, double-click to reset.

#include <QPoint>

#include "meridian/core/Image2D.hpp"
#include "meridian/viewers/ImageViewState.hpp"
#include "meridian/viewers/VtkRenderWidget.hpp"

class vtkImageSlice;
class vtkImageData;

namespace meridian::viewers {

class ImageViewer2D : public VtkRenderWidget {
  Q_OBJECT
 public:
  explicit ImageViewer2D(QWidget* parent = nullptr);
  ~ImageViewer2D() override;

  enum class View { Reset, Keep };
  /// Shows `image` (a copy is kept). View::Reset fits it to the view with its default
  /// window; View::Keep keeps zoom, pan and window when the new image has the same size
  /// and spacing (the next slice of a volume), and resets otherwise.
  void setImage(const core::Image2D& image, View view = View::Reset);
  bool hasImage() const { return hasImage_; }
  const ImageViewState& state() const { return state_; }
  /// Applies a state change made outside the widget (tests, linked views).
  void setWindow(core::WindowLevel window);
  void resetView();

 Q_SIGNALS:
  /// The pixel under the mouse and its value(s), for the status bar.
  void pixelHovered(int x, int y, QString valueText);

 protected:
  void resizeGL(int width, int height) override;
  void wheelEvent(QWheelEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;

 private:
  void applyStateToScene();
  QString valueTextAt(int x, int y) const;

  core::Image2D image_;
  bool hasImage_ = false;
  ImageViewState state_;
  vtkImageSlice* slice_ = nullptr;  // owned by the renderer
  Qt::MouseButton dragButton_ = Qt::NoButton;
  QPoint lastMouse_;
};

}  // namespace meridian::viewers
