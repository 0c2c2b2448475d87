#pragma once
// The Qt 6 <-> VTK 9.1 bridge. Debian's VTK Qt module (QVTKOpenGLNativeWidget)
// is built against Qt 5, so Meridian hosts VTK itself. Each view is a plain
// raster QWidget; all views share one OpenGL context on an offscreen surface. A
// vtkGenericOpenGLRenderWindow per view renders with it into VTK's framebuffers
// (only those it uses, see VtkRenderWidget.cpp), the frame is read from VTK's
// render framebuffer in the GL driver's own byte order into a QImage, and
// paintEvent() draws that image like any other widget content. A
// view with nothing to draw makes no GL objects; a hidden view frees its
// framebuffers (under software GL they are process memory, issue 17).
//
// Why not QOpenGLWidget (the first bridge): a window holding QOpenGLWidgets is
// composed by Qt with OpenGL on every update -- each widget's texture and the
// raster content drawn over the whole window, then the whole window swapped.
// Under software GL (Mesa llvmpipe: Xvfb, remote desktops, virtual machines)
// that composition cost ~80% of a volume viewer frame at 1920x1080 (issue 17).
// Here a frame is VTK's render, one read-back of the view's pixels and a raster
// update of that view's rectangle; views that did not change are not rendered,
// and Qt's overlays (child widgets: crosshair, measurements) repaint without a
// VTK render. Works on hardware GL and on Mesa under Xvfb; a window grab
// (QWidget::grab) shows the frame.
//
// Reduced frames while the user interacts (issue 17): a view that allows it
// (setReducedWhileInteracting) renders at 1/interactionReduction() of its size in
// each direction while a drag or a burst of wheel steps is in progress
// (ViewInteraction.hpp says what counts), and the frame is scaled up as it is read; when
// the interaction ends it renders once more at full size. Under software GL the
// rasteriser's work is proportional to the pixels: a factor of 2 is a quarter of
// them. Frames at rest, grabFramebuffer() and hence screenshots are always full size.

#include <QImage>
#include <QWidget>

#include <memory>

#include <vtkSmartPointer.h>

class vtkGenericOpenGLRenderWindow;
class vtkRenderer;
class vtkObject;
class QOffscreenSurface;
class QOpenGLContext;

namespace meridian::viewers {

class VtkRenderWidget : public QWidget {
  Q_OBJECT
public:
  explicit VtkRenderWidget(QWidget *parent = nullptr);
  ~VtkRenderWidget() override;

  vtkRenderer *renderer() const;
  vtkGenericOpenGLRenderWindow *renderWindow() const;

  /// Whether VTK renders with a depth buffer (the default). A view of flat layers
  /// drawn in order (a plane and its overlays) needs none: without it no depth is
  /// cleared, tested or written per pixel (CPU time under software GL: 8% of a
  /// plane's rasterising, issue 17) and the view holds no depth texture.
  void setDepthBuffer(bool wanted);

  /// Whether the view renders reduced frames during an interaction (off by default).
  /// For views whose content is one image the user is moving through (the MPR planes):
  /// a blurred frame for the length of a drag, sharp again when it ends.
  void setReducedWhileInteracting(bool allowed) { reducedWhileInteracting_ = allowed; }
  /// The reduction of those frames in each direction, for all views: 1 turns reduced
  /// frames off. Initially QSettings "viewers/interactionReduction" (default 2, 1..4).
  static int interactionReduction();
  static void setInteractionReduction(int factor);
  /// Whether the frame shown now is a reduced one.
  bool frameReduced() const { return frameReduced_; }

  /// Asks for a new frame; VTK renders in the next paint (several requests, one
  /// render).
  void requestRender();

  /// VTK's frame without Qt's overlays, rendered now (device pixels, top row
  /// first).
  QImage grabFramebuffer();

  /// The GL context the view renders with, shared by all views (created on
  /// first use; nullptr where OpenGL is missing or nothing was drawn yet).
  QOpenGLContext *context() const { return context_.get(); }
  void makeCurrent();
  void doneCurrent();

  /// Whether the view's OpenGL is a software rasteriser (Mesa llvmpipe or softpipe:
  /// Xvfb, remote desktops, virtual machines), where textures live in the process's own
  /// memory and every pixel costs CPU time. Creates the context when there is none yet.
  bool softwareRenderer();

  /// Sets the surface format VTK needs (OpenGL 3.2 core, depth, no
  /// multisampling). Call before constructing QApplication.
  static void setDefaultSurfaceFormat();

Q_SIGNALS:
  /// VTK rendered a new frame of the view (it is drawn on screen in the same paint).
  void frameRendered();

protected:
  /// The view's size in logical pixels changed (VTK's window already has the
  /// new size).
  virtual void resizeGL(int width, int height);
  void resizeEvent(QResizeEvent *event) override;
  void paintEvent(QPaintEvent *event) override;
  /// Tells ViewInteraction about mouse, wheel and key events before the view's handlers.
  bool event(QEvent *event) override;
  /// Frees the view's framebuffers and frame while it is hidden.
  void hideEvent(QHideEvent *event) override;

private:
  bool ensureContext();
  /// Loads the GL driver once, after the first frame drawn without it.
  static void warmUpOpenGl();
  /// The view's size in device pixels.
  QSize deviceSize() const;
  /// Renders VTK and reads its render framebuffer into frame_: reduced when `mayReduce`,
  /// the view allows it and an interaction is in progress.
  void renderFrame(bool mayReduce);
  void onRenderWindowEvent(vtkObject *caller, unsigned long event,
                           void *callData);

  vtkSmartPointer<vtkGenericOpenGLRenderWindow> renderWindow_;
  vtkSmartPointer<vtkRenderer> renderer_;
  // Shared by every view (ensureContext()); the surface outlives the context.
  std::shared_ptr<QOffscreenSurface> surface_;
  std::shared_ptr<QOpenGLContext> context_;
  QImage frame_;           // the last frame, device pixels, top row first
  bool frameStale_ = true; // VTK's scene changed since frame_ was rendered
  QSize frameFor_;         // the view's device size when frame_ was rendered
  QImage reducedFrame_;    // a reduced frame as read back (GL's RGBA rows), while interacting
  bool frameReduced_ = false;            // frame_ was scaled up from a reduced frame
  bool reducedWhileInteracting_ = false; // see setReducedWhileInteracting
  bool contextFailed_ = false;
};

} // namespace meridian::viewers
