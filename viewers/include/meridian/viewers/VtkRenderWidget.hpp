#pragma once
// The Qt 6 <-> VTK 9.1 bridge. Debian's VTK Qt module (QVTKOpenGLNativeWidget) is built
// against Qt 5, so Meridian hosts VTK itself: a vtkGenericOpenGLRenderWindow renders with
// the QOpenGLWidget's context into VTK's own framebuffer, which paintGL() then blits into
// the widget's defaultFramebufferObject(). Works on hardware GL and on Mesa under Xvfb.

#include <QOpenGLWidget>

#include <vtkSmartPointer.h>

class vtkGenericOpenGLRenderWindow;
class vtkRenderer;
class vtkObject;
class QSurface;

namespace meridian::viewers {

class VtkRenderWidget : public QOpenGLWidget {
  Q_OBJECT
 public:
  explicit VtkRenderWidget(QWidget* parent = nullptr);
  ~VtkRenderWidget() override;

  vtkRenderer* renderer() const;
  vtkGenericOpenGLRenderWindow* renderWindow() const;

  /// Asks for a repaint; VTK renders inside the next paintGL().
  void requestRender() { update(); }

  /// Sets the surface format VTK needs (OpenGL 3.2 core, depth, no multisampling).
  /// Call before constructing QApplication.
  static void setDefaultSurfaceFormat();

 protected:
  void initializeGL() override;
  void resizeGL(int width, int height) override;
  void paintGL() override;

 private:
  void onRenderWindowEvent(vtkObject* caller, unsigned long event, void* callData);
  void detachFromContext();

  vtkSmartPointer<vtkGenericOpenGLRenderWindow> renderWindow_;
  vtkSmartPointer<vtkRenderer> renderer_;
  QSurface* surface_ = nullptr;  // the context's surface, for VTK's make-current requests
  bool contextReady_ = false;
};

}  // namespace meridian::viewers
