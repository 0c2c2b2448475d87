#include "meridian/ui/ViewerStack.hpp"

#include "BackgroundTask.hpp"
#include "meridian/ui/LabelMapFile.hpp"
#include "meridian/viewers/ImageViewer2D.hpp"
#include "meridian/viewers/SlideViewer.hpp"
#include "meridian/viewers/VolumeViewer.hpp"

namespace meridian::ui {

using viewers::ViewerKind;

ViewerStack::ViewerStack(QWidget* parent) : QStackedWidget(parent) {
  imageViewer_ = new viewers::ImageViewer2D(this);
  volumeViewer_ = new viewers::VolumeViewer(this);
  slideViewer_ = new viewers::SlideViewer(this);
  hosts_[static_cast<std::size_t>(ViewerKind::Image2D)] = viewers::makeViewerHost(*imageViewer_);
  hosts_[static_cast<std::size_t>(ViewerKind::Volume)] = viewers::makeViewerHost(*volumeViewer_);
  hosts_[static_cast<std::size_t>(ViewerKind::Slide)] = viewers::makeViewerHost(*slideViewer_);
  for (const auto& h : hosts_) addWidget(h->widget());
  setCurrentWidget(imageViewer_);

  connect(imageViewer_, &viewers::ImageViewer2D::statusMessage, this, &ViewerStack::statusMessage);
  connect(volumeViewer_, &viewers::VolumeViewer::statusMessage, this, &ViewerStack::statusMessage);
  connect(slideViewer_, &viewers::SlideViewer::statusMessage, this, &ViewerStack::statusMessage);
  connect(imageViewer_, &viewers::ImageViewer2D::heatmapDropped, this, [this](const QString& reason) {
    Q_EMIT heatmapChanged();
    Q_EMIT statusMessage(tr("Heatmap removed: %1").arg(reason));
  });
  connect(imageViewer_, &viewers::ImageViewer2D::annotationsChanged, this,
          [this] { Q_EMIT annotationsChanged(ViewerKind::Image2D); });
  connect(slideViewer_, &viewers::SlideViewer::annotationsChanged, this,
          [this] { Q_EMIT annotationsChanged(ViewerKind::Slide); });
  connect(volumeViewer_, &viewers::VolumeViewer::annotationsChanged, this,
          [this] { Q_EMIT annotationsChanged(ViewerKind::Volume); });
  connect(imageViewer_, &viewers::ImageViewer2D::frameChanged, this, &ViewerStack::frameChanged);
  connect(imageViewer_, &viewers::ImageViewer2D::pixelHovered, this, [this](int x, int y, const QString& value) {
    Q_EMIT readoutChanged(ViewerKind::Image2D, tr("(%1, %2)  %3").arg(x).arg(y).arg(value));
  });
  const auto volumeReadout = [this](const QString& text) { Q_EMIT readoutChanged(ViewerKind::Volume, text); };
  connect(volumeViewer_, &viewers::VolumeViewer::crosshairMoved, this, volumeReadout);
  connect(volumeViewer_, &viewers::VolumeViewer::voxelHovered, this, volumeReadout);
}

ViewerStack::~ViewerStack() = default;

void ViewerStack::show(ViewerKind kind) {
  currentKind_ = kind;
  setCurrentWidget(host(kind).widget());
  Q_EMIT currentViewerChanged(kind);
}

core::Status ViewerStack::setHeatmap(core::Volume map) {
  core::Status status = current().setHeatmap(std::move(map));
  Q_EMIT heatmapChanged();
  return status;
}

core::Status ViewerStack::loadLabelMap(const std::filesystem::path& file) {
  const viewers::ShownContent shown = current().shownContent();
  auto fitted = runKeepingUiAlive(window(), tr("Reading %1…").arg(QString::fromStdString(file.filename().string())),
                                  [&] { return readLabelMapFor(shown, file); });
  if (!fitted) return fitted.error();
  auto status = current().setLabelMap(std::move(fitted).value());
  if (!status) return core::makeError(status.error().code, file.string() + ": " + status.error().message);
  return core::Ok{};
}

}  // namespace meridian::ui
