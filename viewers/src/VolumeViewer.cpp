#include "meridian/viewers/VolumeViewer.hpp"

#include <QCheckBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include <vtkImageData.h>

#include "VolumeVtkImage.hpp"
#include "meridian/core/DisplayMapping.hpp"
#include "meridian/viewers/MprPlaneDecorations.hpp"
#include "meridian/viewers/MprPlaneView.hpp"

namespace meridian::viewers {

VolumeViewer::VolumeViewer(QWidget* parent) : QWidget(parent) {
  auto* grid = grid_ = new QGridLayout;
  grid->setContentsMargins(0, 0, 0, 0);
  grid->setSpacing(2);
  for (Plane plane : kPlanes) {
    auto* view = new MprPlaneView(plane, &state_, this);
    planes_[static_cast<std::size_t>(plane)] = view;
    connect(view, &MprPlaneView::stateEdited, this, &VolumeViewer::refresh);
    connect(view, &MprPlaneView::statusMessage, this, &VolumeViewer::statusMessage);
    connect(view, &MprPlaneView::labelsEdited, this, &VolumeViewer::annotationsChanged);
    connect(view, &VtkRenderWidget::frameRendered, this, [this, plane] { planeDrawn(plane); });
    connect(view, &MprPlaneView::hovered, this, [this, plane](double px, double py) {
      if (!volume_) return;
      const core::Vec3 point = state_.grid(plane).physical(px, py, state_.depth(plane));
      if (state_.geometry().containsIndex(state_.geometry().physicalToIndex(point)))
        Q_EMIT voxelHovered(describe(point));
    });
  }
  view3D_ = new Volume3DView(this);
  // Axial | coronal over sagittal | 3D: the layout of most MPR workstations.
  grid->addWidget(planeView(Plane::Axial), 0, 0);
  grid->addWidget(planeView(Plane::Coronal), 0, 1);
  grid->addWidget(planeView(Plane::Sagittal), 1, 0);
  grid->addWidget(view3D_, 1, 1);
  for (int i = 0; i < 2; ++i) {
    grid->setRowStretch(i, 1);
    grid->setColumnStretch(i, 1);
  }
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  layout->addWidget(buildToolBar());
  layout->addLayout(grid, 1);
}

VolumeViewer::~VolumeViewer() = default;

QWidget* VolumeViewer::buildToolBar() {
  auto* bar = new QWidget(this);
  auto* row = new QHBoxLayout(bar);
  row->setContentsMargins(4, 2, 4, 2);

  windowButton_ = new QToolButton(bar);
  windowButton_->setText(tr("Window"));
  windowButton_->setPopupMode(QToolButton::InstantPopup);
  auto* windowMenu = new QMenu(windowButton_);
  for (const auto& preset : ctWindowPresets()) {
    const QString name = QString::fromStdString(preset.name);
    windowMenu->addAction(tr("%1  (L %2 / W %3)").arg(name).arg(preset.window.center).arg(preset.window.width), this,
                          [this, name] { applyWindowPreset(name); });
  }
  windowButton_->setMenu(windowMenu);
  row->addWidget(windowButton_);

  presetButton3D_ = new QToolButton(bar);
  presetButton3D_->setText(tr("3D: %1").arg(QString::fromLatin1(toString(view3D_->preset()))));
  presetButton3D_->setPopupMode(QToolButton::InstantPopup);
  auto* menu3D = new QMenu(presetButton3D_);
  for (Volume3DPreset preset : {Volume3DPreset::CtBone, Volume3DPreset::SoftTissue, Volume3DPreset::Mip})
    menu3D->addAction(QString::fromLatin1(toString(preset)), this, [this, preset] { set3DPreset(preset); });
  presetButton3D_->setMenu(menu3D);
  row->addWidget(presetButton3D_);

  linkBox_ = new QCheckBox(tr("Link planes"), bar);
  linkBox_->setChecked(true);
  linkBox_->setToolTip(tr("Linked: a click in one plane moves the other planes through that point."));
  connect(linkBox_, &QCheckBox::toggled, this, [this](bool on) {
    state_.setLinked(on);
    refresh();
  });
  row->addWidget(linkBox_);
  readout_ = new QLabel(bar);
  row->addWidget(readout_, 1);
  return bar;
}

core::Status VolumeViewer::setVolume(std::shared_ptr<const core::Volume> volume, BodyRegion region) {
  if (!volume) {
    clear();
    return core::Ok{};
  }
  if (volume->channels() != 1)
    return core::makeError(core::ErrorCode::Unsupported, "the volume viewer shows scalar volumes; this one has " +
                                                             std::to_string(volume->channels()) + " channels");
  const int middle = volume->size()[2] / 2;
  auto slice = volume->slice(middle);
  if (!slice) return slice.error();
  const core::WindowLevel stored = core::defaultWindow(slice.value());
  const double slope = volume->rescaleSlope != 0 ? volume->rescaleSlope : 1.0;
  const std::array<double, 2> range = volume->valueRange();  // once: a pass over every voxel
  const std::array<double, 2> displayRange{std::min(range[0], range[1]) * slope + volume->rescaleIntercept,
                                           std::max(range[0], range[1]) * slope + volume->rescaleIntercept};
  // The look that fits the modality and body part (InitialDisplay.hpp); the data's own
  // window where no preset fits.
  initialDisplay_ = chooseInitialDisplay(volume->modality, region, displayRange);
  const core::WindowLevel display = initialDisplay_.window.value_or(
      core::WindowLevel{stored.center * slope + volume->rescaleIntercept, stored.width * std::abs(slope)});
  if (auto status = state_.reset(VolumeGeometry::of(*volume), display); !status) return status;

  volume_ = std::move(volume);
  heatmap_.clear();
  labelMap_.clear();
  ++overlayGeneration_;
  indexImage_ = detail::toVtkIndexImage(volume_);
  const double background = std::min(range[0], range[1]);
  for (MprPlaneView* view : planes_) {
    view->setVolume(indexImage_, background, volume_.get(), valueRescale());
    state_.setViewSize(view->plane(), view->width(), view->height());
    view->decorations()->setNote({});
  }
  state_.resetViews();
  linkBox_->setChecked(true);
  // The 3D view draws after the planes' first frame (planeDrawn()).
  view3D_->setVolume(volume_, indexImage_, {std::min(range[0], range[1]), std::max(range[0], range[1])});
  planesDrawn_ = {false, false, false};
  set3DPreset(initialDisplay_.preset3D);
  refresh();
  return core::Ok{};
}

void VolumeViewer::planeDrawn(Plane plane) {
  if (!volume_ || view3D_->isReady()) return;
  planesDrawn_[static_cast<std::size_t>(plane)] = true;
  if (planesDrawn_ != std::array<bool, 3>{true, true, true}) return;
  // Queued: the 3D view's first frame (seconds under software GL) goes to a later paint than
  // the planes' frame, which reaches the screen first.
  QMetaObject::invokeMethod(view3D_, &Volume3DView::startDrawing, Qt::QueuedConnection);
}

void VolumeViewer::clear() {
  volume_.reset();
  heatmap_.clear();
  labelMap_.clear();
  ++overlayGeneration_;
  for (MprPlaneView* view : planes_) view->setVolume(nullptr, 0.0);
  view3D_->clear();
  indexImage_ = nullptr;
  readout_->clear();
}

core::WindowLevel VolumeViewer::storedWindow() const {
  const core::WindowLevel w = state_.window();
  if (!volume_) return w;
  const double slope = volume_->rescaleSlope != 0 ? volume_->rescaleSlope : 1.0;
  return {(w.center - volume_->rescaleIntercept) / slope, w.width / std::abs(slope)};
}

void VolumeViewer::refresh() {
  if (!volume_) return;
  const core::WindowLevel window = storedWindow();
  const PlaneOverlays layers = overlays();
  for (MprPlaneView* view : planes_) view->refresh(window, layers);
  updateReadout();
}

QString VolumeViewer::describe(const core::Vec3& p) const {
  const core::Vec3 index = state_.geometry().physicalToIndex(p);
  int voxel[3];
  for (int a = 0; a < 3; ++a)
    voxel[a] = std::clamp(static_cast<int>(std::lround(index[a])), 0, state_.geometry().size[a] - 1);
  const double value =
      volume_->valueAt(voxel[0], voxel[1], voxel[2]) * volume_->rescaleSlope + volume_->rescaleIntercept;
  return tr("LPS (%1, %2, %3) mm   voxel (%4, %5, %6)   value %7")
      .arg(p[0], 0, 'f', 1)
      .arg(p[1], 0, 'f', 1)
      .arg(p[2], 0, 'f', 1)
      .arg(voxel[0])
      .arg(voxel[1])
      .arg(voxel[2])
      .arg(value, 0, 'g', 6);
}

void VolumeViewer::updateReadout() {
  const core::WindowLevel w = state_.window();
  const QString text =
      tr("%1   L %2 / W %3").arg(describe(state_.crosshair())).arg(w.center, 0, 'f', 0).arg(w.width, 0, 'f', 0);
  readout_->setText(text);
  Q_EMIT crosshairMoved(text);
}

bool VolumeViewer::applyWindowPreset(const QString& name) {
  if (!state_.applyPreset(name.toStdString())) return false;
  refresh();
  return true;
}

void VolumeViewer::set3DPreset(Volume3DPreset preset) {
  view3D_->setPreset(preset);
  presetButton3D_->setText(tr("3D: %1").arg(QString::fromLatin1(toString(preset))));
}

core::Status VolumeViewer::setHeatmap(core::Volume map) {
  if (!volume_) return core::makeError(core::ErrorCode::InvalidArgument, "no volume open to overlay a map on");
  HeatmapLayer candidate;
  if (auto status = candidate.setMap(std::move(map)); !status) return status;
  if (auto status = candidate.checkFits(*volume_); !status) {
    showNote(tr("Map refused: %1").arg(QString::fromStdString(status.error().message)));
    return status;
  }
  // Keep the user's colour map and opacity across maps (a threshold belongs to a map's values).
  candidate.setColorMap(heatmap_.colorMap());
  candidate.setOpacity(heatmap_.opacity());
  heatmap_ = std::move(candidate);
  heatmapVisible_ = true;
  ++overlayGeneration_;
  showNote({});
  refresh();
  return core::Ok{};
}

void VolumeViewer::clearHeatmap() {
  heatmap_.clear();
  ++overlayGeneration_;
  refresh();
}

}  // namespace meridian::viewers
