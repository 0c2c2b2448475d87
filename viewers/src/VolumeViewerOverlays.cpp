// VolumeViewer as an OverlayTarget: the heatmap's look, the label map, the measuring tools
// of the planes and the screenshot.

#include <QGridLayout>
#include <QImage>
#include <QPixmap>

#include <algorithm>

#include "meridian/viewers/MprPlaneDecorations.hpp"
#include "meridian/viewers/MprPlaneView.hpp"
#include "meridian/viewers/VolumeViewer.hpp"

namespace meridian::viewers {

PlaneOverlays VolumeViewer::overlays() const {
  PlaneOverlays layers;
  layers.heatmap = &heatmap_;
  layers.heatmapVisible = heatmapVisible_;
  layers.labels = &labelMap_;
  layers.labelOpacity = labelOpacity_;
  layers.generation = overlayGeneration_;
  return layers;
}

ValueRescale VolumeViewer::valueRescale() const {
  ValueRescale rescale;
  if (!volume_) return rescale;
  rescale.slope = volume_->rescaleSlope != 0 ? volume_->rescaleSlope : 1.0;
  rescale.intercept = volume_->rescaleIntercept;
  rescale.unit = valueUnitSet_ ? valueUnit_.toStdString() : (volume_->modality == "CT" ? "HU" : "");
  return rescale;
}

void VolumeViewer::showNote(const QString& note) {
  planeView(Plane::Axial)->decorations()->setNote(note);
  if (!note.isEmpty()) Q_EMIT statusMessage(note);
}

void VolumeViewer::setHeatmapVisible(bool visible) {
  heatmapVisible_ = visible;
  refresh();
}

void VolumeViewer::setHeatmapColorMap(core::ColorMap colors) {
  heatmap_.setColorMap(colors);
  refresh();
}

void VolumeViewer::setLabelMapOpacity(double opacity) {
  labelOpacity_ = std::clamp(opacity, 0.0, 1.0);
  ++overlayGeneration_;  // the planes colour the label map when they sample it
  refresh();
}

void VolumeViewer::setHeatmapOpacity(double opacity) {
  heatmap_.setOpacity(opacity);
  refresh();
}

void VolumeViewer::setHeatmapThreshold(std::optional<double> threshold) {
  heatmap_.setThreshold(threshold);
  refresh();
}

core::Status VolumeViewer::setLabelMap(core::Volume labels, std::vector<std::string> names) {
  if (!volume_) return core::makeError(core::ErrorCode::InvalidArgument, "no volume open to put a label map on");
  if (auto status = labelMap_.set(std::move(labels), *volume_, std::move(names)); !status) {
    showNote(tr("Label map refused: %1").arg(QString::fromStdString(status.error().message)));
    return status;
  }
  ++overlayGeneration_;
  showNote({});
  refresh();
  return core::Ok{};
}

void VolumeViewer::clearLabelMap() {
  labelMap_.clear();
  ++overlayGeneration_;
  refresh();
}

void VolumeViewer::setTool(Tool2D tool) {
  if (!supportsTool(tool)) return;
  tool_ = tool;
  for (MprPlaneView* view : planes_) view->setTool(tool);
}

void VolumeViewer::clearMeasurements() {
  for (MprPlaneView* view : planes_) view->clearMeasurements();
}

void VolumeViewer::setValueUnit(const QString& unit) {
  valueUnit_ = unit;
  valueUnitSet_ = true;
  if (!volume_) return;
  // The planes keep the rescale they were given with the volume; hand them the new unit.
  for (MprPlaneView* view : planes_) view->setValueRescale(valueRescale());
}

QImage VolumeViewer::renderView() {
  // The 2x2 grid only (not the tool bar): QWidget::grab() draws the planes' and the 3D
  // view's GL frames (QOpenGLWidget::grabFramebuffer) with the Qt decorations over them.
  if (volume_) view3D_->waitUntilReady();  // a picture of the viewer shows its 3D view
  return grab(grid_->geometry()).toImage();
}

bool VolumeViewer::saveScreenshot(const QString& path) {
  if (!volume_) return false;
  return renderView().save(path, "PNG");
}

}  // namespace meridian::viewers
