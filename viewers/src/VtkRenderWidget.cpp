#include "meridian/viewers/VtkRenderWidget.hpp"

#include <QOffscreenSurface>
#include <QOpenGLContext>
#include <QOpenGLExtraFunctions>
#include <QOpenGLFunctions>
#include <QPaintEvent>
#include <QColor>
#include <QPainter>
#include <QSurfaceFormat>
#include <QSettings>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <cstring>

#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkObjectFactory.h>
#include <vtkOpenGLFramebufferObject.h>
#include <vtkOpenGLShaderCache.h>
#include <vtkOpenGLState.h>
#include <vtkPropCollection.h>
#include <vtkRenderer.h>
#include <vtkType.h>

#include "ViewInteraction.hpp"

namespace meridian::viewers {

namespace {

// VTK's render window with only the framebuffers the bridge uses. VTK 9.1 gives every render
// window three: the render framebuffer (colour + depth), the display framebuffer (two colours
// for stereo + depth) and a resolve framebuffer (colour + depth, used only with multisampling,
// which is off), i.e. seven view-sized buffers, which under software GL are process memory
// (issue 17: 35% of the peak RSS past the voxels when a CT opens). VTK allocates each only when
// it has none, so one set up here first stays: the display framebuffer with one colour buffer
// and no depth, the resolve framebuffer 1x1. VTK resizes the display framebuffer to the view at
// every frame (CreateFramebuffers() is not virtual), but with swapping off it copies nothing into
// it: the frame is read from the render framebuffer (VtkRenderWidget::renderFrame()).
class BridgeRenderWindow : public vtkGenericOpenGLRenderWindow {
 public:
  static BridgeRenderWindow* New();
  vtkTypeMacro(BridgeRenderWindow, vtkGenericOpenGLRenderWindow);

  /// Whether the render framebuffer keeps its depth buffer (see VtkRenderWidget::setDepthBuffer).
  bool depthBuffer = true;

  void Start() override {
    if (Initialized && (!DisplayFramebuffer->GetFBOIndex() || !ResolveFramebuffer->GetFBOIndex())) {
      // VTK's own Start() re-reads the framebuffer bindings (the context is not its own), but
      // restore them anyway: what is bound now is where an embedding expects the frame.
      QOpenGLExtraFunctions* gl = QOpenGLContext::currentContext()->extraFunctions();
      GLint draw = 0, read = 0;
      gl->glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &draw);
      gl->glGetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &read);
      // The texture unit manager knows the context's units only once the state is initialised
      // (VTK's Start() does it again).
      GetState()->Initialize(this);
      if (!DisplayFramebuffer->GetFBOIndex())
        DisplayFramebuffer->PopulateFramebuffer(std::max(1, Size[0]), std::max(1, Size[1]), true, 1,
                                                VTK_UNSIGNED_CHAR, false, 0, 0, false);
      if (!ResolveFramebuffer->GetFBOIndex())
        ResolveFramebuffer->PopulateFramebuffer(1, 1, true, 1, VTK_UNSIGNED_CHAR, false, 0, 0, false);
      gl->glBindFramebuffer(GL_DRAW_FRAMEBUFFER, static_cast<GLuint>(draw));
      gl->glBindFramebuffer(GL_READ_FRAMEBUFFER, static_cast<GLuint>(read));
    }
    Superclass::Start();
    // VTK's Start() makes its render framebuffer with a depth texture even when one without was
    // set up before it (unlike the display framebuffer); a view that needs none drops it here,
    // once the framebuffer is bound and before anything is drawn (again after a hidden view's
    // framebuffers were freed). Depth tests then pass and nothing writes depth.
    if (!depthBuffer && RenderFramebuffer->GetFBOIndex() &&
        RenderFramebuffer->GetDepthAttachmentAsTextureObject() != nullptr) {
      RenderFramebuffer->RemoveDepthAttachment();
    }
  }

  /// Frees the view-sized framebuffers (a hidden view); the next Start() makes them again.
  void releaseFramebuffers() {
    RenderFramebuffer->ReleaseGraphicsResources(this);
    DisplayFramebuffer->ReleaseGraphicsResources(this);
  }

 protected:
  BridgeRenderWindow() = default;
  ~BridgeRenderWindow() override = default;
};

vtkStandardNewMacro(BridgeRenderWindow);

// GL's rows run bottom-up in RGBA byte order; Format_RGB32 is 0xffRRGGBB per pixel, top row
// first. The alpha is forced opaque: what VTK leaves in the alpha channel (its background alpha
// is 0) must not reach Qt, which takes RGB32 pixels as opaque.
inline quint32 toRgb32(quint32 rgba) {
  if constexpr (Q_BYTE_ORDER == Q_LITTLE_ENDIAN)  // 0xAABBGGRR
    return 0xff000000u | ((rgba & 0xffu) << 16) | (rgba & 0xff00u) | ((rgba >> 16) & 0xffu);
  else  // 0xRRGGBBAA
    return 0xff000000u | (rgba >> 8);
}

// Swaps rows pairwise and converts both in one pass (vectorised by the compiler).
void rgbaRowsToRgb32TopDown(QImage& image) {
  const int width = image.width(), height = image.height();
  const qsizetype stride = image.bytesPerLine() / 4;
  quint32* pixels = reinterpret_cast<quint32*>(image.bits());
  for (int y = 0; y < height / 2; ++y) {
    quint32* top = pixels + y * stride;
    quint32* bottom = pixels + (height - 1 - y) * stride;
    for (int x = 0; x < width; ++x) {
      const quint32 t = top[x];
      top[x] = toRgb32(bottom[x]);
      bottom[x] = toRgb32(t);
    }
  }
  if (height % 2) {
    quint32* middle = pixels + (height / 2) * stride;
    for (int x = 0; x < width; ++x) middle[x] = toRgb32(middle[x]);
  }
}

// A reduced frame (GL's RGBA rows, bottom-up) scaled up by `factor` into `out` (Format_RGB32,
// top row first) by repeating each pixel factor x factor times, cut at the view's right and
// bottom edges (the reduced frame is rounded up). Each output row is converted once and copied
// to the factor - 1 rows below it (QPainter scaling the small frame as it drew took 9
// instructions an output pixel, a third of a window/level drag frame's, issue 17).
void expandRgbaRowsToRgb32TopDown(const QImage& reduced, QImage& out, int factor) {
  const int width = out.width(), height = out.height();
  const qsizetype inStride = reduced.bytesPerLine() / 4, outStride = out.bytesPerLine() / 4;
  const quint32* in = reinterpret_cast<const quint32*>(reduced.constBits());
  quint32* pixels = reinterpret_cast<quint32*>(out.bits());
  for (int y = 0; y < height; y += factor) {
    const quint32* source = in + (reduced.height() - 1 - y / factor) * inStride;
    quint32* row = pixels + y * outStride;
    if (factor == 2) {
      // Two output pixels a store (the general loop below took 10 instructions a pixel).
      for (int sx = 0; sx < width / 2; ++sx) {
        const quint64 pair = quint64{toRgb32(source[sx])} * 0x100000001ull;
        std::memcpy(row + 2 * sx, &pair, sizeof pair);
      }
      if (width % 2) row[width - 1] = toRgb32(source[width / 2]);
    } else {
      for (int sx = 0, x = 0; x < width; ++sx) {
        const quint32 pixel = toRgb32(source[sx]);
        for (int k = 0; k < factor && x < width; ++k) row[x++] = pixel;
      }
    }
    for (int r = 1; r < factor && y + r < height; ++r)
      std::memcpy(pixels + (y + r) * outStride, row, static_cast<std::size_t>(width) * 4);
  }
}

BridgeRenderWindow* bridgeWindow(vtkGenericOpenGLRenderWindow* window) {
  return static_cast<BridgeRenderWindow*>(window);
}

// 0 until first asked for (QSettings needs the application's name, set after start-up).
int reductionFactor = 0;

}  // namespace

VtkRenderWidget::VtkRenderWidget(QWidget *parent)
    : QWidget(parent),
      renderWindow_(vtkSmartPointer<BridgeRenderWindow>::New()),
      renderer_(vtkSmartPointer<vtkRenderer>::New()) {
  renderWindow_->AddRenderer(renderer_);
  renderWindow_->SetMultiSamples(0);
  // renderFrame() reads the frame from VTK's render framebuffer: without swapping
  // VTK does not copy it into its display framebuffer (colour and depth, a pass
  // over every pixel under software GL, issue 17) and blits nothing further.
  renderWindow_->SwapBuffersOff();
  renderWindow_->SetFrameBlitModeToNoBlit();
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

void VtkRenderWidget::setDepthBuffer(bool wanted) {
  bridgeWindow(renderWindow_)->depthBuffer = wanted;
}

int VtkRenderWidget::interactionReduction() {
  if (reductionFactor == 0)
    setInteractionReduction(QSettings().value(QStringLiteral("viewers/interactionReduction"), 2).toInt());
  return reductionFactor;
}

void VtkRenderWidget::setInteractionReduction(int factor) {
  reductionFactor = std::clamp(factor, 1, 4);
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
  // One context for every view of the process (issue 17): under software GL each
  // context is process memory of its own (llvmpipe's state, its rasteriser
  // threads, every shader compiled again). An offscreen surface: the context
  // belongs to no window, so it survives a view moving to another top-level
  // window and renders before it is shown. VTK keeps a GL state cache per render
  // window; renderFrame() resets what another window may have changed.
  static std::weak_ptr<QOffscreenSurface> sharedSurface;
  static std::weak_ptr<QOpenGLContext> sharedContext;
  std::shared_ptr<QOffscreenSurface> surface = sharedSurface.lock();
  std::shared_ptr<QOpenGLContext> context = sharedContext.lock();
  if (!surface || !context) {
    surface = std::make_shared<QOffscreenSurface>();
    surface->setFormat(QSurfaceFormat::defaultFormat());
    surface->create();
    context = std::make_shared<QOpenGLContext>();
    context->setFormat(QSurfaceFormat::defaultFormat());
    if (!surface->isValid() || !context->create() ||
        !context->makeCurrent(surface.get())) {
      contextFailed_ = true;
      return false;
    }
    sharedSurface = surface;
    sharedContext = context;
  } else if (!context->makeCurrent(surface.get())) {
    contextFailed_ = true;
    return false;
  }
  surface_ = std::move(surface);
  context_ = std::move(context);
  renderWindow_->SetReadyForRendering(true);
  renderWindow_->OpenGLInitContext();
  return true;
}

QSize VtkRenderWidget::deviceSize() const {
  const qreal ratio = devicePixelRatioF();
  return QSize(std::max(1, static_cast<int>(std::lround(width() * ratio))),
               std::max(1, static_cast<int>(std::lround(height() * ratio))));
}

void VtkRenderWidget::renderFrame(bool mayReduce) {
  const qreal ratio = devicePixelRatioF();
  frameFor_ = deviceSize();
  // During an interaction the frame is rendered smaller (rounded up: it covers the view)
  // and scaled up, nearest neighbour, as it is read back; VTK's camera keeps its scale per
  // pixel, so the frame shows the same field of view (to half a view pixel at the right
  // and bottom edges when the view's size is not a multiple of the factor).
  const int reduction = mayReduce && reducedWhileInteracting_ && ViewInteraction::instance().active()
                            ? interactionReduction() : 1;
  const QSize size((frameFor_.width() + reduction - 1) / reduction,
                   (frameFor_.height() + reduction - 1) / reduction);
  frameReduced_ = reduction > 1;
  frameStale_ = false;
  if (!context_ && renderer_->GetViewProps()->GetNumberOfItems() == 0 &&
      !renderer_->GetGradientBackground() && !renderer_->GetTexturedBackground()) {
    // Nothing to draw yet (the 2D viewer before an image, the volume viewer
    // before a volume): the frame is the background colour, without a GL
    // context and framebuffers made for it (process memory under software GL).
    const double *rgb = renderer_->GetBackground();
    frameReduced_ = false;
    frame_ = QImage(frameFor_, QImage::Format_RGB32);
    frame_.fill(QColor::fromRgbF(static_cast<float>(rgb[0]), static_cast<float>(rgb[1]),
                                 static_cast<float>(rgb[2])));
    frame_.setDevicePixelRatio(ratio);
    warmUpOpenGl();
    Q_EMIT frameRendered();
    return;
  }
  QOpenGLContext *previous = QOpenGLContext::currentContext();
  QSurface *previousSurface = previous ? previous->surface() : nullptr;
  if (!ensureContext()) {
    frameReduced_ = false;
    frame_ = QImage(frameFor_, QImage::Format_RGB32);
    frame_.fill(Qt::black);
    frame_.setDevicePixelRatio(ratio);
    return;
  }
  context_->makeCurrent(surface_.get());
  const int *vtkSize = renderWindow_->GetSize();
  if (vtkSize[0] != size.width() || vtkSize[1] != size.height())
    renderWindow_->SetSize(size.width(), size.height());
  // The context is shared: the active texture unit and the bound shader program
  // are whatever the last view left, not what this window's VTK state cache says
  // (VTK 9.1 re-applies the rest of its cache at every Start()).
  renderWindow_->GetState()->ResetGLActiveTexture();
  renderWindow_->Render();
  renderWindow_->GetShaderCache()->ReleaseCurrentShader();
  QOpenGLExtraFunctions *gl = context_->extraFunctions();
  GLint draw = 0, read = 0;
  gl->glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &draw);
  gl->glGetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &read);
  const auto rendered = static_cast<GLuint>(renderWindow_->GetRenderFramebuffer()->GetFBOIndex());
  gl->glBindFramebuffer(GL_READ_FRAMEBUFFER, rendered);
  gl->glReadBuffer(GL_COLOR_ATTACHMENT0);
  if (frame_.size() != frameFor_ || frame_.format() != QImage::Format_RGB32)
    frame_ = QImage(frameFor_, QImage::Format_RGB32);
  // A reduced frame is read into a buffer of its own and scaled up into frame_,
  // which paintEvent() then draws as it does a full one; the buffer goes with the
  // interaction.
  if (!frameReduced_)
    reducedFrame_ = QImage();
  else if (reducedFrame_.size() != size)
    reducedFrame_ = QImage(size, QImage::Format_RGB32);
  QImage &target = frameReduced_ ? reducedFrame_ : frame_;
  // RGBA bytes are the framebuffer's own layout under Mesa, so GL copies them
  // as they are (asking for BGRA made Mesa convert every pixel in a scalar
  // loop: 14 instructions a pixel, the UI thread's largest cost per frame,
  // issue 17); one pass below turns them into Qt's order, opaque and top row first.
  gl->glPixelStorei(GL_PACK_ALIGNMENT, 4);
  gl->glPixelStorei(GL_PACK_ROW_LENGTH, static_cast<GLint>(target.bytesPerLine() / 4));
  gl->glReadPixels(0, 0, size.width(), size.height(), GL_RGBA, GL_UNSIGNED_BYTE,
                   target.bits());
  gl->glPixelStorei(GL_PACK_ROW_LENGTH, 0);
  gl->glBindFramebuffer(GL_DRAW_FRAMEBUFFER, static_cast<GLuint>(draw));
  gl->glBindFramebuffer(GL_READ_FRAMEBUFFER, static_cast<GLuint>(read));
  if (frameReduced_)
    expandRgbaRowsToRgb32TopDown(reducedFrame_, frame_, reduction);
  else
    rgbaRowsToRgb32TopDown(frame_);
  frame_.setDevicePixelRatio(ratio);
  if (previous && previous != context_.get())
    previous->makeCurrent(previousSurface);
  if (frameReduced_)
    ViewInteraction::instance().drewReduced(this); // a full frame follows the interaction
  Q_EMIT frameRendered();
}

void VtkRenderWidget::warmUpOpenGl() {
  // Loading the GL driver (Mesa with LLVM: tens of MiB of libraries) is the
  // slow part of the first context in a process; done once, after this
  // frame is on screen, so that opening an image or volume does not pay it.
  static bool scheduled = false;
  if (scheduled)
    return;
  scheduled = true;
  QTimer::singleShot(0, [] {
    QOffscreenSurface surface;
    surface.setFormat(QSurfaceFormat::defaultFormat());
    surface.create();
    QOpenGLContext context;
    context.setFormat(QSurfaceFormat::defaultFormat());
    if (surface.isValid() && context.create() && context.makeCurrent(&surface)) {
      context.functions()->glGetString(GL_RENDERER);
      context.doneCurrent();
    }
  });
}

void VtkRenderWidget::hideEvent(QHideEvent *event) {
  QWidget::hideEvent(event);
  // A hidden view (the 2D viewer behind the volume viewer, say) keeps its
  // scene but not its view-sized buffers: under software GL they are process
  // memory. Shown again, it renders a new frame.
  if (context_ && !event->spontaneous()) {
    QOpenGLContext *previous = QOpenGLContext::currentContext();
    QSurface *previousSurface = previous ? previous->surface() : nullptr;
    context_->makeCurrent(surface_.get());
    bridgeWindow(renderWindow_)->releaseFramebuffers();
    if (previous && previous != context_.get())
      previous->makeCurrent(previousSurface);
  }
  frame_ = QImage();
  reducedFrame_ = QImage();
  frameStale_ = true;
}

QImage VtkRenderWidget::grabFramebuffer() {
  renderFrame(false); // a grab is a picture at rest: full size
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

bool VtkRenderWidget::event(QEvent *event) {
  ViewInteraction::instance().observe(*event);
  return QWidget::event(event);
}

void VtkRenderWidget::paintEvent(QPaintEvent *event) {
  // Overlays over this view (child widgets) repaint it beneath them: the last
  // frame serves, VTK renders only when its scene changed.
  if (frameStale_ || frame_.isNull() || frameFor_ != deviceSize())
    renderFrame(true);
  QPainter painter(this);
  painter.setCompositionMode(QPainter::CompositionMode_Source);
  const qreal ratio = devicePixelRatioF();
  painter.drawImage(event->rect(), frame_,
                    QRectF(QPointF(event->rect().topLeft()) * ratio,
                           QSizeF(event->rect().size()) * ratio));
}

} // namespace meridian::viewers
