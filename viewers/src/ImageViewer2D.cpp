#include "meridian/viewers/ImageViewer2D.hpp"

#include <QImage>
#include <QKeyEvent>
#include <QMenu>
#include <QToolButton>
#include <QMouseEvent>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

#include <vtkCamera.h>
#include <vtkImageData.h>
#include <vtkImageProperty.h>
#include <vtkImageSlice.h>
#include <vtkImageSliceMapper.h>
#include <vtkRenderer.h>

#include "OverlayCanvas.hpp"
#include "OverlayPainter2D.hpp"
#include "ToolKeys.hpp"
#include "VtkImageConversion.hpp"
#include "meridian/core/DisplayMapping.hpp"
#include "meridian/viewers/ColorBar.hpp"

namespace meridian::viewers {
namespace {

// The heatmap is rendered once per change over the whole image at up to this many pixels
// a side, then scaled by QPainter: panning and zooming cost a blit, not a resampling.
constexpr int kMaxRasterSide = 2048;

QImage toQImage(const std::vector<std::uint8_t>& rgba, int width, int height) {
  QImage image(width, height, QImage::Format_RGBA8888_Premultiplied);
  for (int y = 0; y < height; ++y)
    std::copy_n(rgba.data() + static_cast<std::size_t>(y) * width * 4, static_cast<std::size_t>(width) * 4,
                image.scanLine(y));
  return image;
}

}  // namespace

ImageViewer2D::ImageViewer2D(QWidget* parent) : VtkRenderWidget(parent) {
  // One flat image slice; the overlays are painted by Qt: no depth needed.
  setDepthBuffer(false);
  renderer()->SetBackground(0.08, 0.08, 0.09);
  vtkCamera* camera = renderer()->GetActiveCamera();
  camera->ParallelProjectionOn();
  setMouseTracking(true);
  setFocusPolicy(Qt::StrongFocus);  // Delete, Escape, Enter and Page Up/Down for the tools and frames
  canvas_ = new OverlayCanvas(this, [this](QPainter& painter) { paintOverlays(painter); });
  canvas_->setGeometry(rect());
  // Made after the canvas, so it lies above it; shown only for images whose file offers a
  // presentation (VOI LUT, stored window) besides the free W/L.
  windowButton_ = new QToolButton(this);
  windowButton_->setObjectName(QStringLiteral("windowButton"));
  windowButton_->setPopupMode(QToolButton::InstantPopup);
  windowButton_->setToolButtonStyle(Qt::ToolButtonTextOnly);
  windowButton_->setMenu(new QMenu(windowButton_));
  windowButton_->setToolTip(tr("How the image is presented: the VOI LUTs and windows its file offers, or the free "
                               "window/level (right-drag)"));
  windowButton_->move(8, 8);
  windowButton_->hide();
}

ImageViewer2D::~ImageViewer2D() = default;

void ImageViewer2D::setImage(const core::Image2D& image, View view) {
  frames_.reset();
  frame_ = 0;
  const bool keep = view == View::Keep && hasImage_ && image.width() == image_.width() &&
                    image.height() == image_.height() && image.spacing == image_.spacing;
  image_ = image;
  hasImage_ = !image_.empty();
  if (slice_) {
    renderer()->RemoveViewProp(slice_);
    slice_ = nullptr;
  }
  if (!keep) {
    // Overlays belong to the image they were made on.
    tools_.cancel();
    tools_.clearMeasurements();
    labels_.clearLabelMap();
    labelRaster_.reset();
    if (heatmap_.hasMap()) {
      const auto fits = hasImage_ ? heatmap_.checkFits(image_.width(), image_.height())
                                  : core::Status(core::makeError(core::ErrorCode::InvalidArgument, "no image"));
      if (!fits) {
        clearHeatmap();
        Q_EMIT heatmapDropped(QString::fromStdString(fits.error().message));
      }
    }
  }
  if (!hasImage_) {
    presentations_.clear();
    lutOutput_.reset();
    windowButton_->hide();
    requestRender();
    canvas_->update();
    return;
  }
  // A new image opens with its file's presentation; the next frame of a stack keeps the
  // one chosen when it offers the same choices.
  auto choices = presentationChoices(image_);
  const bool sameChoices = keep && choices.size() == presentations_.size();
  presentations_ = std::move(choices);
  if (!keep) {
    // The free W/L starts from the data's window, and drags scale with the image's values
    // (not with a VOI LUT's output range).
    freeWindow_ = core::defaultWindow(image_);
    state_.reset(image_.width(), image_.height(), image_.spacing.value_or(std::array<double, 2>{1.0, 1.0}), freeWindow_);
    state_.setViewSize(width(), height());
    if (heatmap_.hasMap()) resampleHeatmap();  // a map that still fits, over a new image size
  }
  if (!sameChoices) rebuildWindowMenu();
  showPresentation(sameChoices ? presentation_ : initialPresentation(presentations_));
}

void ImageViewer2D::setFrames(std::shared_ptr<const core::Volume> frames) {
  if (!frames || frames->voxelCount() == 0) {
    setImage(core::Image2D());
    return;
  }
  const int middle = frames->size()[2] / 2;
  auto first = frames->slice(middle);
  if (!first) return;
  setImage(first.value(), View::Reset);  // clears frames_, so set them after
  frames_ = std::move(frames);
  frame_ = middle;
  resampleHeatmap();  // a map with one plane per frame follows the frame
  Q_EMIT frameChanged(frame_, frameCount());
}

int ImageViewer2D::frameCount() const {
  return frames_ ? frames_->size()[2] : (hasImage_ ? 1 : 0);
}

void ImageViewer2D::setFrame(int k) {
  if (!frames_) return;
  k = std::clamp(k, 0, frames_->size()[2] - 1);
  if (k == frame_) return;
  showFrameImage(k, View::Keep);
}

void ImageViewer2D::showFrameImage(int k, View view) {
  auto image = frames_->slice(k);
  if (!image) return;
  auto frames = frames_;
  setImage(image.value(), view);  // drops frames_: put them back
  frames_ = std::move(frames);
  frame_ = k;
  if (heatmap_.hasMap() && heatmap_.map().size()[2] > 1) resampleHeatmap();
  Q_EMIT frameChanged(frame_, frameCount());
}

void ImageViewer2D::setWindow(core::WindowLevel window) {
  freeWindow_ = window;
  if (hasImage_ && presentations_[presentation_].kind != PresentationChoice::Kind::Free)
    (void)setPresentation(presentations_.size() - 1);
  state_.setWindow(window);
  applyStateToScene();
}

void ImageViewer2D::resetView() {
  if (!hasImage_) return;
  freeWindow_ = core::defaultWindow(image_);
  state_.reset(image_.width(), image_.height(), image_.spacing.value_or(std::array<double, 2>{1.0, 1.0}), freeWindow_);
  state_.setViewSize(width(), height());
  showPresentation(initialPresentation(presentations_));  // back to the file's own look too
}

core::Status ImageViewer2D::setHeatmap(core::Volume map, double opacity, core::ColorMap colors) {
  if (!hasImage_) return core::makeError(core::ErrorCode::InvalidArgument, "open an image before adding a heatmap");
  HeatmapLayer candidate;
  if (auto status = candidate.setMap(std::move(map)); !status) return status;
  if (auto fits = candidate.checkFits(image_.width(), image_.height()); !fits) return fits;
  candidate.setOpacity(opacity);
  candidate.setColorMap(colors);
  heatmap_ = std::move(candidate);
  heatmapVisible_ = true;
  resampleHeatmap();
  return core::Ok{};
}

void ImageViewer2D::clearHeatmap() {
  heatmap_.clear();
  heatmapSamples_.clear();
  heatmapRaster_.reset();
  canvas_->update();
}

void ImageViewer2D::setHeatmapOpacity(double opacity) {
  heatmap_.setOpacity(opacity);
  rebuildHeatmapRaster();
}

void ImageViewer2D::setHeatmapThreshold(std::optional<double> threshold) {
  heatmap_.setThreshold(threshold);
  rebuildHeatmapRaster();
}

void ImageViewer2D::setHeatmapColorMap(core::ColorMap colors) {
  heatmap_.setColorMap(colors);
  rebuildHeatmapRaster();
}

void ImageViewer2D::setHeatmapVisible(bool visible) {
  heatmapVisible_ = visible;
  canvas_->update();
}

void ImageViewer2D::resampleHeatmap() {
  heatmapSamples_.clear();
  heatmapSamplesWidth_ = heatmapSamplesHeight_ = 0;
  if (heatmap_.hasMap() && hasImage_) {
    const double scale = std::min(1.0, static_cast<double>(kMaxRasterSide) / std::max(image_.width(), image_.height()));
    SamplingGrid grid;
    grid.width = std::max(1, static_cast<int>(std::lround(image_.width() * scale)));
    grid.height = std::max(1, static_cast<int>(std::lround(image_.height() * scale)));
    const double sx = static_cast<double>(image_.width()) / grid.width;
    const double sy = static_cast<double>(image_.height()) / grid.height;
    // A map with one plane per frame follows the frame (frame k at z = k, as in the stack's
    // volume); a single-plane map applies to every frame.
    const core::Volume& map = heatmap_.map();
    const double z = map.size()[2] > 1 ? static_cast<double>(frames_ ? frame_ : 0) : map.origin[2];
    grid.origin = {-0.5 + sx / 2, -0.5 + sy / 2, z};
    grid.stepU = {sx, 0, 0};
    grid.stepV = {0, sy, 0};
    heatmapSamples_ = heatmap_.sampleGrid(grid, Interpolation::Linear);
    heatmapSamplesWidth_ = grid.width;
    heatmapSamplesHeight_ = grid.height;
  }
  rebuildHeatmapRaster();
}

void ImageViewer2D::rebuildHeatmapRaster() {
  heatmapRaster_.reset();
  if (heatmap_.hasMap() && !heatmapSamples_.empty())
    heatmapRaster_ = std::make_unique<QImage>(
        toQImage(heatmap_.colorize(heatmapSamples_), heatmapSamplesWidth_, heatmapSamplesHeight_));
  canvas_->update();
}

void ImageViewer2D::setAnnotations(core::AnnotationSet set) {
  if (const auto dropped = LabelLayer::dropVolumeShapes(set))
    Q_EMIT statusMessage(tr("%1 shape(s) drawn on a volume's planes left out").arg(dropped));
  labels_.setAnnotations(std::move(set));
  canvas_->update();
  Q_EMIT annotationsChanged();
}

core::Status ImageViewer2D::setLabelMap(core::Image2D labelMap, std::vector<std::string> names) {
  if (auto status = labels_.setLabelMap(std::move(labelMap), image_.width(), image_.height()); !status) return status;
  labels_.setLabelNames(std::move(names));
  rebuildLabelRaster();
  return core::Ok{};
}

void ImageViewer2D::rebuildLabelRaster() {
  const auto& map = labels_.labelMap();
  labelRaster_ =
      map.empty() ? nullptr : std::make_unique<QImage>(toQImage(labels_.labelMapRgba(labelMapOpacity_), map.width(), map.height()));
  canvas_->update();
}

void ImageViewer2D::setLabelMapOpacity(double opacity) {
  labelMapOpacity_ = std::clamp(opacity, 0.0, 1.0);
  rebuildLabelRaster();
}

void ImageViewer2D::setTool(Tool2D tool) {
  tools_.setTool(tool);
  setCursor(tool == Tool2D::Navigate ? Qt::ArrowCursor : Qt::CrossCursor);
  probeAt_.reset();
  canvas_->update();
}

void ImageViewer2D::setLabelClass(const QString& name) {
  tools_.setLabelClass(name.toStdString());
}

void ImageViewer2D::clearMeasurements() {
  tools_.clearMeasurements();
  canvas_->update();
}

void ImageViewer2D::setValueUnit(const QString& unit) {
  valueUnit_ = unit;
  canvas_->update();
}

QImage ImageViewer2D::renderView() {
  return grab().toImage();
}

bool ImageViewer2D::saveScreenshot(const QString& path) {
  return renderView().save(path, "PNG");
}

void ImageViewer2D::paintOverlays(QPainter& painter) {
  if (!hasImage_) return;
  const overlay2d::ImageToView toView = [this](Point2 p) {
    const auto v = state_.imageToView(p[0], p[1]);
    return QPointF(v[0], v[1]);
  };
  if (labelRaster_) overlay2d::paintRaster(painter, toView, *labelRaster_, image_.width(), image_.height(), false);
  if (heatmapVisible_ && heatmapRaster_) {
    overlay2d::paintRaster(painter, toView, *heatmapRaster_, image_.width(), image_.height(), true);
    paintColorBar(painter, heatmap_, colorBarArea(size()));
  }
  overlay2d::paintLabels(painter, toView, labels_);
  const std::string unit = valueUnit_.toStdString();
  overlay2d::paintMeasurements(painter, toView, tools_,
                               [&](const Measurement& m) { return measurementText(m, image_, unit); });
  if (probeAt_ && tools_.tool() == Tool2D::Probe) {
    const auto p = imagePointAt(*probeAt_);
    const int x = static_cast<int>(std::lround(p[0])), y = static_cast<int>(std::lround(p[1]));
    if (x >= 0 && y >= 0 && x < image_.width() && y < image_.height()) {
      QString text = QStringLiteral("(%1, %2)  %3").arg(x).arg(y).arg(valueTextAt(x, y));
      if (!valueUnit_.isEmpty()) text += QLatin1Char(' ') + valueUnit_;
      if (heatmap_.hasMap())
        if (const auto v = heatmap_.sampleImage(p[0], p[1], Interpolation::Linear))
          text += QStringLiteral("  map %1").arg(static_cast<double>(*v), 0, 'g', 4);
      overlay2d::paintLabelText(painter, QPointF(*probeAt_) + QPointF(14, 22), text, Qt::white);
    }
  }
}

void ImageViewer2D::applyStateToScene() {
  if (slice_) {
    // A negative window inverts: MONOCHROME1 stores bright as low values.
    const double sign = image_.photometric == "MONOCHROME1" ? -1.0 : 1.0;
    slice_->GetProperty()->SetColorWindow(sign * state_.window().width);
    slice_->GetProperty()->SetColorLevel(state_.window().center);
  }
  // Looking along +z with view-up -y puts image x to the right and image y downwards.
  const auto focal = state_.focalPoint();
  vtkCamera* camera = renderer()->GetActiveCamera();
  camera->SetFocalPoint(focal[0], focal[1], 0.0);
  camera->SetPosition(focal[0], focal[1], -1000.0);
  camera->SetViewUp(0.0, -1.0, 0.0);
  camera->SetParallelScale(state_.viewHeight() / (2.0 * state_.viewScale()));
  camera->SetClippingRange(1.0, 2000.0);
  requestRender();
  canvas_->update();
}

void ImageViewer2D::resizeGL(int w, int h) {
  VtkRenderWidget::resizeGL(w, h);
  state_.setViewSize(w, h);
  applyStateToScene();
}

void ImageViewer2D::resizeEvent(QResizeEvent* event) {
  VtkRenderWidget::resizeEvent(event);
  canvas_->setGeometry(rect());
}

Point2 ImageViewer2D::imagePointAt(QPointF viewPos) const {
  return state_.viewToImage(viewPos.x(), viewPos.y());
}

double ImageViewer2D::grabTolerance() const {
  // Six screen pixels, in image pixels.
  const double spacing = image_.spacing ? (*image_.spacing)[0] : 1.0;
  return 6.0 / std::max(state_.viewScale() * spacing, 1e-9);
}

void ImageViewer2D::afterToolEdit(bool changed, std::size_t measurementsBefore, std::size_t labelsBefore) {
  if (!changed) return;
  canvas_->update();
  if (!tools_.lastError().empty()) Q_EMIT statusMessage(QString::fromStdString(tools_.lastError()));
  if (tools_.measurements().size() > measurementsBefore)
    Q_EMIT statusMessage(
        QString::fromStdString(measurementText(tools_.measurements().back(), image_, valueUnit_.toStdString())));
  if (labels_.annotations().annotations.size() != labelsBefore || tools_.tool() == Tool2D::EditLabels)
    Q_EMIT annotationsChanged();
}

void ImageViewer2D::wheelEvent(QWheelEvent* event) {
  if (!hasImage_) return;
  const double steps = event->angleDelta().y() / 120.0;
  if (event->modifiers() & Qt::ControlModifier) {
    if (frames_ && steps != 0) setFrame(frame_ + (steps > 0 ? -1 : 1));
  } else {
    state_.zoomAbout(std::pow(1.2, steps), event->position().x(), event->position().y());
    applyStateToScene();
  }
  event->accept();
}

void ImageViewer2D::mousePressEvent(QMouseEvent* event) {
  dragButton_ = event->button();
  lastMouse_ = event->position().toPoint();
  toolDrag_ = false;
  if (hasImage_ && event->button() == Qt::LeftButton) {
    const std::size_t m = tools_.measurements().size(), l = labels_.annotations().annotations.size();
    toolDrag_ = tools_.press(imagePointAt(event->position()), grabTolerance());
    afterToolEdit(toolDrag_, m, l);
  }
}

void ImageViewer2D::mouseMoveEvent(QMouseEvent* event) {
  const QPoint pos = event->position().toPoint();
  const QPoint delta = pos - lastMouse_;
  lastMouse_ = pos;
  if (!hasImage_) return;
  const bool pan = (dragButton_ == Qt::LeftButton && !toolDrag_) || dragButton_ == Qt::MiddleButton;
  if (pan) {
    state_.panBy(delta.x(), delta.y());
    applyStateToScene();
  } else if (dragButton_ == Qt::RightButton) {
    const PresentationChoice::Kind kind = presentations_[presentation_].kind;
    if (kind != PresentationChoice::Kind::Free) {
      // Dragging changes a window on the image's values: it starts from a stored window
      // as shown, and from the free W/L when a VOI LUT (which is no window) was shown.
      if (kind == PresentationChoice::Kind::StoredWindow) freeWindow_ = state_.window();
      (void)setPresentation(presentations_.size() - 1);
    }
    state_.dragWindow(delta.x(), delta.y());
    freeWindow_ = state_.window();
    applyStateToScene();
  } else if (dragButton_ == Qt::LeftButton || dragButton_ == Qt::NoButton) {
    // Drags of the tool, and the rubber band of angles and polygons between clicks.
    if (tools_.move(imagePointAt(event->position()))) canvas_->update();
  }
  if (tools_.tool() == Tool2D::Probe) {
    probeAt_ = pos;
    canvas_->update();
  }
  const auto p = state_.viewToImage(pos.x(), pos.y());
  const int x = static_cast<int>(std::lround(p[0])), y = static_cast<int>(std::lround(p[1]));
  if (x >= 0 && y >= 0 && x < image_.width() && y < image_.height()) Q_EMIT pixelHovered(x, y, valueTextAt(x, y));
}

void ImageViewer2D::mouseReleaseEvent(QMouseEvent* event) {
  if (hasImage_ && event->button() == Qt::LeftButton && toolDrag_) {
    const std::size_t m = tools_.measurements().size(), l = labels_.annotations().annotations.size();
    afterToolEdit(tools_.release(imagePointAt(event->position())), m, l);
  }
  dragButton_ = Qt::NoButton;
  toolDrag_ = false;
}

void ImageViewer2D::mouseDoubleClickEvent(QMouseEvent* event) {
  if (tools_.tool() == Tool2D::LabelPolygon) {
    const std::size_t m = tools_.measurements().size(), l = labels_.annotations().annotations.size();
    afterToolEdit(tools_.doubleClick(imagePointAt(event->position())), m, l);
    return;
  }
  if (tools_.tool() == Tool2D::Navigate || tools_.tool() == Tool2D::Probe) resetView();
}

void ImageViewer2D::keyPressEvent(QKeyEvent* event) {
  const std::size_t m = tools_.measurements().size(), l = labels_.annotations().annotations.size();
  if (const auto changed = applyToolKey(tools_, event->key())) {
    afterToolEdit(*changed, m, l);
    event->accept();
    return;
  }
  switch (event->key()) {
    case Qt::Key_PageUp:
      setFrame(frame_ - 1);
      break;
    case Qt::Key_PageDown:
      setFrame(frame_ + 1);
      break;
    default:
      VtkRenderWidget::keyPressEvent(event);
      return;
  }
  event->accept();
}

void ImageViewer2D::leaveEvent(QEvent* event) {
  probeAt_.reset();
  canvas_->update();
  VtkRenderWidget::leaveEvent(event);
}

QString ImageViewer2D::valueTextAt(int x, int y) const {
  QStringList parts;
  for (int c = 0; c < image_.channels(); ++c) parts << QString::number(image_.valueAt(x, y, c), 'g', 6);
  return parts.join(", ");
}

}  // namespace meridian::viewers
