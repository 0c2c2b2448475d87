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
  // We copy VTK's frame into Qt's framebuffer ourselves in paintGL().
  renderWindow_->SetFrameBlitModeToNoBlit();
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
      makeCurrent();
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
  connect(context(), &QOpenGLContext::aboutToBeDestroyed, this,
          [this] {
            makeCurrent();
            detachFromContext();
            doneCurrent();
          },
          Qt::UniqueConnection);
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
  // Render() may have made our context current again through the observer; blit VTK's
  // display framebuffer into the framebuffer Qt composes this widget from.
  makeCurrent();
  QOpenGLExtraFunctions* gl = context()->extraFunctions();
  const int* size = renderWindow_->GetRenderFramebuffer()->GetLastSize();
  const int w = static_cast<int>(width() * devicePixelRatioF());
  const int h = static_cast<int>(height() * devicePixelRatioF());
  gl->glBindFramebuffer(GL_DRAW_FRAMEBUFFER, defaultFramebufferObject());
  const GLenum attachment = GL_COLOR_ATTACHMENT0;
  gl->glDrawBuffers(1, &attachment);
  renderWindow_->GetState()->vtkglDisable(GL_SCISSOR_TEST);
  renderWindow_->BlitDisplayFramebuffer(0, 0, 0, size[0], size[1], 0, 0, w, h, GL_COLOR_BUFFER_BIT, GL_NEAREST);
  // Opaque alpha: with Mesa the compositor would otherwise blend the frame with what lies behind.
  gl->glColorMask(GL_FALSE, GL_FALSE, GL_FALSE, GL_TRUE);
  gl->glClearColor(0.f, 0.f, 0.f, 1.f);
  gl->glClear(GL_COLOR_BUFFER_BIT);
  gl->glColorMask(GL_TRUE, GL_TRUE, GL_TRUE, GL_TRUE);
}

}  // namespace meridian::viewers
