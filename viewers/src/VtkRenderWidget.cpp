#include "meridian/viewers/VtkRenderWidget.hpp"

#include <QOpenGLContext>
#include <QOpenGLExtraFunctions>
#include <QSurfaceFormat>

#include <vtkCallbackCommand.h>
#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkOpenGLFramebufferObject.h>
#include <vtkOpenGLState.h>
#include <vtkRenderer.h>

namespace meridian::viewers {

VtkRenderWidget::VtkRenderWidget(QWidget* parent)
    : QOpenGLWidget(parent),
      renderWindow_(vtkSmartPointer<vtkGenericOpenGLRenderWindow>::New()),
      renderer_(vtkSmartPointer<vtkRenderer>::New()) {
  renderWindow_->AddRenderer(renderer_);
  renderWindow_->SetMultiSamples(0);
  // At the end of Render(), VTK blits its display framebuffer into the framebuffer that
  // was bound when rendering began: inside paintGL() that is the widget's own FBO.
  renderWindow_->SetFrameBlitModeToBlitToCurrent();
  for (unsigned long event : {vtkCommand::WindowMakeCurrentEvent, vtkCommand::WindowIsCurrentEvent,
                              vtkCommand::WindowFrameEvent}) {
    renderWindow_->AddObserver(event, this, &VtkRenderWidget::onRenderWindowEvent);
  }
  setMinimumSize(64, 64);
}

VtkRenderWidget::~VtkRenderWidget() {
  makeCurrent();
  detachFromContext();
  doneCurrent();
  renderWindow_->RemoveAllObservers();
}

vtkRenderer* VtkRenderWidget::renderer() const { return renderer_; }
vtkGenericOpenGLRenderWindow* VtkRenderWidget::renderWindow() const { return renderWindow_; }

void VtkRenderWidget::setDefaultSurfaceFormat() {
  QSurfaceFormat format;
  format.setRenderableType(QSurfaceFormat::OpenGL);
  format.setVersion(3, 2);
  format.setProfile(QSurfaceFormat::CoreProfile);
  format.setDepthBufferSize(24);
  format.setStencilBufferSize(8);
  format.setAlphaBufferSize(8);
  format.setSamples(0);
  QSurfaceFormat::setDefaultFormat(format);
}

void VtkRenderWidget::onRenderWindowEvent(vtkObject*, unsigned long event, void* callData) {
  switch (event) {
    case vtkCommand::WindowMakeCurrentEvent:
      // Not QOpenGLWidget::makeCurrent(): that also rebinds the widget's FBO, behind the
      // back of VTK's cached GL state, in the middle of VTK's own rendering.
      if (QOpenGLContext::currentContext() != context() && surface_) context()->makeCurrent(surface_);
      break;
    case vtkCommand::WindowIsCurrentEvent:
      *static_cast<bool*>(callData) = QOpenGLContext::currentContext() == context();
      break;
    case vtkCommand::WindowFrameEvent:
      break;  // we present in paintGL(); nothing to swap
    default:
      break;
  }
}

void VtkRenderWidget::detachFromContext() {
  if (!contextReady_) return;
  renderWindow_->Finalize();  // releases VTK's GL resources while our context is current
  renderWindow_->SetReadyForRendering(false);
  contextReady_ = false;
}

void VtkRenderWidget::initializeGL() {
  // A QOpenGLWidget gets a new context when it moves to another top-level window.
  detachFromContext();
  connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, [this] {
    makeCurrent();
    detachFromContext();
    doneCurrent();
  });
  surface_ = context()->surface();
  renderWindow_->SetOwnContext(false);
  renderWindow_->SetReadyForRendering(true);
  renderWindow_->OpenGLInitContext();
  contextReady_ = true;

}

void VtkRenderWidget::resizeGL(int width, int height) {
  const qreal ratio = devicePixelRatioF();
  renderWindow_->SetSize(static_cast<int>(width * ratio), static_cast<int>(height * ratio));
}

void VtkRenderWidget::paintGL() {
  if (!contextReady_) return;
  renderWindow_->Render();
  QOpenGLExtraFunctions* gl = context()->extraFunctions();
  // Opaque alpha: with Mesa the compositor would otherwise blend the frame with what lies behind.
  gl->glColorMask(GL_FALSE, GL_FALSE, GL_FALSE, GL_TRUE);
  gl->glClearColor(0.f, 0.f, 0.f, 1.f);
  gl->glClear(GL_COLOR_BUFFER_BIT);
  gl->glColorMask(GL_TRUE, GL_TRUE, GL_TRUE, GL_TRUE);
}

}  // namespace meridian::viewers
