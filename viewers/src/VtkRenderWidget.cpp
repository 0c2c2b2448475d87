#include "meridian/viewers/VtkRenderWidget.hpp"

#include <QOffscreenSurface>
#include <QOpenGLContext>
#include <QOpenGLExtraFunctions>
#include <QOpenGLFunctions>
#include <QOpenGLFramebufferObject>
#include <QPaintEvent>
#include <QPainter>
#include <QSurfaceFormat>

#include <algorithm>
#include <cmath>

#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkRenderer.h>

namespace meridian::viewers {

VtkRenderWidget::VtkRenderWidget(QWidget *parent)
    : QWidget(parent),
      renderWindow_(vtkSmartPointer<vtkGenericOpenGLRenderWindow>::New()),
      renderer_(vtkSmartPointer<vtkRenderer>::New()) {
  renderWindow_->AddRenderer(renderer_);
  renderWindow_->SetMultiSamples(0);
  // At the end of Render(), VTK blits its display framebuffer into the
  // framebuffer that was bound when rendering began: ours, which renderFrame()
  // then reads.
  renderWindow_->SetFrameBlitModeToBlitToCurrent();
  renderWindow_->SetOwnContext(false);
  for (unsigned long event :
       {vtkCommand::WindowMakeCurrentEvent, vtkCommand::WindowIsCurrentEvent,
        vtkCommand::WindowFrameEvent}) {
    renderWindow_->AddObserver(event, this,
                               &VtkRenderWidget::onRenderWindowEvent);
  }
  // paintEvent() covers every pixel with the frame: Qt need not clear beneath
  // it.
  setAttribute(Qt::WA_OpaquePaintEvent);
  setAttribute(Qt::WA_NoSystemBackground);
  setMinimumSize(64, 64);
}

VtkRenderWidget::~VtkRenderWidget() {
  if (context_) {
    context_->makeCurrent(surface_.get());
    renderWindow_->Finalize(); // releases VTK's GL resources while our context
                               // is current
    renderWindow_->SetReadyForRendering(false);
    fbo_.reset();
    context_->doneCurrent();
  }
  renderWindow_->RemoveAllObservers();
}

vtkRenderer *VtkRenderWidget::renderer() const { return renderer_; }
vtkGenericOpenGLRenderWindow *VtkRenderWidget::renderWindow() const {
  return renderWindow_;
}

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

void VtkRenderWidget::requestRender() {
  frameStale_ = true;
  update();
}

void VtkRenderWidget::makeCurrent() {
  if (ensureContext())
    context_->makeCurrent(surface_.get());
}

void VtkRenderWidget::doneCurrent() {
  if (context_)
    context_->doneCurrent();
}

bool VtkRenderWidget::softwareRenderer() {
  if (!ensureContext())
    return true; // no GL at all: nothing is drawn by hardware either
  QOpenGLContext *previous = QOpenGLContext::currentContext();
  QSurface *previousSurface = previous ? previous->surface() : nullptr;
  context_->makeCurrent(surface_.get());
  const auto *name = reinterpret_cast<const char *>(
      context_->functions()->glGetString(GL_RENDERER));
  const QByteArray renderer = name ? QByteArray(name) : QByteArray();
  if (previous && previous != context_.get())
    previous->makeCurrent(previousSurface);
  return renderer.contains("llvmpipe") || renderer.contains("softpipe") ||
         renderer.contains("Software");
}

void VtkRenderWidget::onRenderWindowEvent(vtkObject *, unsigned long event,
                                          void *callData) {
  switch (event) {
  case vtkCommand::WindowMakeCurrentEvent:
    if (context_ && QOpenGLContext::currentContext() != context_.get())
      context_->makeCurrent(surface_.get());
    break;
  case vtkCommand::WindowIsCurrentEvent:
    *static_cast<bool *>(callData) =
        context_ && QOpenGLContext::currentContext() == context_.get();
    break;
  case vtkCommand::WindowFrameEvent:
    break; // renderFrame() reads the frame; nothing to swap
  default:
    break;
  }
}

bool VtkRenderWidget::ensureContext() {
  if (context_)
    return true;
  if (contextFailed_)
    return false;
  // An offscreen surface: the context belongs to no window, so it survives the
  // widget moving to another top-level window (a QOpenGLWidget's does not) and
  // renders before it is shown.
  auto surface = std::make_unique<QOffscreenSurface>();
  surface->setFormat(QSurfaceFormat::defaultFormat());
  surface->create();
  auto context = std::make_unique<QOpenGLContext>();
  context->setFormat(QSurfaceFormat::defaultFormat());
  if (!surface->isValid() || !context->create() ||
      !context->makeCurrent(surface.get())) {
    contextFailed_ = true;
    return false;
  }
  surface_ = std::move(surface);
  context_ = std::move(context);
  renderWindow_->SetReadyForRendering(true);
  renderWindow_->OpenGLInitContext();
  return true;
}

void VtkRenderWidget::renderFrame() {
  const qreal ratio = devicePixelRatioF();
  const QSize size(
      std::max(1, static_cast<int>(std::lround(width() * ratio))),
      std::max(1, static_cast<int>(std::lround(height() * ratio))));
  frameStale_ = false;
  QOpenGLContext *previous = QOpenGLContext::currentContext();
  QSurface *previousSurface = previous ? previous->surface() : nullptr;
  if (!ensureContext()) {
    frame_ = QImage(size, QImage::Format_RGB32);
    frame_.fill(Qt::black);
    frame_.setDevicePixelRatio(ratio);
    return;
  }
  context_->makeCurrent(surface_.get());
  if (!fbo_ || fbo_->size() != size)
    fbo_ = std::make_unique<QOpenGLFramebufferObject>(
        size, QOpenGLFramebufferObject::NoAttachment);
  const int *vtkSize = renderWindow_->GetSize();
  if (vtkSize[0] != size.width() || vtkSize[1] != size.height())
    renderWindow_->SetSize(size.width(), size.height());
  fbo_->bind();
  renderWindow_->Render();
  QOpenGLExtraFunctions *gl = context_->extraFunctions();
  // Opaque alpha, so the pixels are a valid QImage::Format_RGB32 (0xffRRGGBB).
  gl->glColorMask(GL_FALSE, GL_FALSE, GL_FALSE, GL_TRUE);
  gl->glClearColor(0.f, 0.f, 0.f, 1.f);
  gl->glClear(GL_COLOR_BUFFER_BIT);
  gl->glColorMask(GL_TRUE, GL_TRUE, GL_TRUE, GL_TRUE);
  if (frame_.size() != size || frame_.format() != QImage::Format_RGB32)
    frame_ = QImage(size, QImage::Format_RGB32);
  // BGRA bytes are Format_RGB32's memory order on little-endian machines; GL's
  // rows run bottom-up, Qt's top-down (mirrored in place).
  gl->glPixelStorei(GL_PACK_ALIGNMENT, 4);
  gl->glReadPixels(0, 0, size.width(), size.height(), GL_BGRA, GL_UNSIGNED_BYTE,
                   frame_.bits());
  frame_ = std::move(frame_).mirrored(false, true);
  frame_.setDevicePixelRatio(ratio);
  fbo_->release();
  if (previous && previous != context_.get())
    previous->makeCurrent(previousSurface);
  Q_EMIT frameRendered();
}

QImage VtkRenderWidget::grabFramebuffer() {
  renderFrame();
  return frame_.copy();
}

void VtkRenderWidget::resizeGL(int width, int height) {
  const qreal ratio = devicePixelRatioF();
  renderWindow_->SetSize(
      std::max(1, static_cast<int>(std::lround(width * ratio))),
      std::max(1, static_cast<int>(std::lround(height * ratio))));
}

void VtkRenderWidget::resizeEvent(QResizeEvent *event) {
  QWidget::resizeEvent(event);
  frameStale_ = true;
  resizeGL(width(), height());
}

void VtkRenderWidget::paintEvent(QPaintEvent *event) {
  // Overlays over this view (child widgets) repaint it beneath them: the last
  // frame serves, VTK renders only when its scene changed.
  const qreal ratio = devicePixelRatioF();
  if (frameStale_ || frame_.isNull() ||
      frame_.size() !=
          QSize(std::max(1, static_cast<int>(std::lround(width() * ratio))),
                std::max(1, static_cast<int>(std::lround(height() * ratio)))))
    renderFrame();
  QPainter painter(this);
  painter.setCompositionMode(QPainter::CompositionMode_Source);
  painter.drawImage(event->rect(), frame_,
                    QRectF(QPointF(event->rect().topLeft()) * ratio,
                           QSizeF(event->rect().size()) * ratio));
}

} // namespace meridian::viewers
