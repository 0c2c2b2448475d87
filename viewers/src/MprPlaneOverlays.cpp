// MprPlaneView's overlays: the label map and heatmap rasters it hands to VTK, and what it
// paints with Qt over the plane (colour bar, label shapes and measurements of the slice
// shown, probe).

#include <QPainter>

#include <algorithm>
#include <cmath>

#include <vtkImageData.h>
#include <vtkImageSlice.h>
#include <vtkPointData.h>
#include <vtkUnsignedCharArray.h>

#include "OverlayPainter2D.hpp"
#include "meridian/viewers/ColorBar.hpp"
#include "meridian/viewers/HeatmapLayer.hpp"
#include "meridian/viewers/MprPlaneDecorations.hpp"
#include "meridian/viewers/MprPlaneView.hpp"
#include "meridian/viewers/VolumeLabelMap.hpp"
#include "meridian/viewers/VolumeViewState.hpp"

namespace meridian::viewers {
namespace {

// Straight-alpha RGBA rows (top to bottom) as the point scalars of a one-slice image on the
// plane's pixel grid: pixel (px, py) at (px·su, py·sv), like the resliced plane.
void setRgba(vtkImageData* data, const std::uint8_t* rgba, const PlaneGrid& grid) {
  data->SetDimensions(grid.width, grid.height, 1);
  data->SetSpacing(grid.su, grid.sv, 1.0);
  data->SetOrigin(0.0, 0.0, 0.0);
  vtkNew<vtkUnsignedCharArray> scalars;
  scalars->SetNumberOfComponents(4);
  scalars->SetNumberOfTuples(static_cast<vtkIdType>(grid.width) * grid.height);
  std::copy_n(rgba, static_cast<std::size_t>(grid.width) * grid.height * 4, scalars->GetPointer(0));
  data->GetPointData()->SetScalars(scalars);
  data->Modified();
}

}  // namespace

SamplingGrid MprPlaneView::samplingGrid() const {
  // Plane pixel centres in patient space: the maps are resliced with the plane, whatever
  // their own grid and direction.
  const PlaneGrid& grid = state_->grid(plane_);
  const PlaneAxes axes = planeAxes(plane_);
  SamplingGrid sampling;
  sampling.origin = grid.physical(0.0, 0.0, state_->depth(plane_));
  for (int i = 0; i < 3; ++i) {
    sampling.stepU[i] = axes.right[i] * grid.su;
    sampling.stepV[i] = axes.down[i] * grid.sv;
  }
  sampling.width = grid.width;
  sampling.height = grid.height;
  return sampling;
}

MprPlaneView::HeatmapLook MprPlaneView::lookOf(const PlaneOverlays& overlays) const {
  if (!heatmap_) return {false, 0, 0.0, std::nullopt, {0.0, 0.0}};
  return {overlays.heatmapVisible, static_cast<int>(heatmap_->colorMap()), heatmap_->opacity(), heatmap_->threshold(),
          heatmap_->valueRange()};
}

bool MprPlaneView::updateOverlays(const PlaneOverlays& overlays, bool planeMoved) {
  heatmap_ = overlays.heatmap && overlays.heatmap->hasMap() ? overlays.heatmap : nullptr;
  labels_ = overlays.labels && overlays.labels->hasLabels() ? overlays.labels : nullptr;
  heatmapVisible_ = overlays.heatmapVisible;
  const auto key = std::make_tuple(lastAxes_.value_or(std::array<double, 16>{}), overlays.generation);
  const bool resample = planeMoved || !sampledFor_ || *sampledFor_ != key;
  sampledFor_ = key;
  const PlaneGrid& grid = state_->grid(plane_);
  bool changed = false;

  if (resample) {
    changed = changed || labelSlice_->GetVisibility() != 0 || labels_;
    if (labels_) {
      const auto rgba = labels_->colorize(labels_->sampleGrid(samplingGrid()), overlays.labelOpacity);
      setRgba(labelData_, rgba.data(), grid);
    }
    labelSlice_->SetVisibility(labels_ != nullptr);
    heatmapSamples_ = heatmap_ ? heatmap_->sampleGrid(samplingGrid(), Interpolation::Linear) : std::vector<float>{};
  }

  const HeatmapLook look = lookOf(overlays);
  if (resample || heatmapLook_ != look) {
    heatmapLook_ = look;
    const bool shown = heatmap_ && overlays.heatmapVisible && heatmap_->opacity() > 0;
    changed = changed || overlay_->GetVisibility() != 0 || shown;
    if (shown) {
      std::vector<std::uint8_t> rgba = heatmap_->colorize(heatmapSamples_);
      // VTK blends with straight alpha; the layer hands out premultiplied colours.
      for (std::size_t p = 0; p + 3 < rgba.size(); p += 4) {
        const int a = rgba[p + 3];
        for (int c = 0; c < 3; ++c)
          rgba[p + c] = a ? static_cast<std::uint8_t>(std::min(255, rgba[p + c] * 255 / a)) : 0;
      }
      setRgba(overlayData_, rgba.data(), grid);
    }
    overlay_->SetVisibility(shown);
    decorations_->update();  // the colour bar
  }
  return changed;
}

const core::Image2D& MprPlaneView::currentPlane() const {
  if (!planeCacheAxes_ || planeCacheAxes_ != lastAxes_) {
    planeCache_ = reslicedPlane();
    planeCacheAxes_ = lastAxes_;
  }
  return planeCache_;
}

QPointF MprPlaneView::viewPointOf(Point2 p) const {
  const auto v = state_->view(plane_).imageToView(p[0], p[1]);
  return {v[0], v[1]};
}

Point2 MprPlaneView::planePointAt(QPointF viewPosition) const {
  return state_->view(plane_).viewToImage(viewPosition.x(), viewPosition.y());
}

double MprPlaneView::grabTolerance() const {
  const double mmPerPixel = state_->grid(plane_).su;
  return 6.0 / std::max(state_->view(plane_).viewScale() * mmPerPixel, 1e-9);
}

std::string MprPlaneView::measurementText(const Measurement& measurement) const {
  if (!hasVolume_) return {};
  return planeMeasurementText(measurement, currentPlane(), rescale_);
}

QString MprPlaneView::probeText(double px, double py) const {
  if (!hasVolume_ || !volume_) return {};
  const core::Vec3 index = state_->indexAtPixel(plane_, px, py);
  if (!state_->geometry().containsIndex(index)) return {};
  int voxel[3];
  for (int a = 0; a < 3; ++a)
    voxel[a] = std::clamp(static_cast<int>(std::lround(index[a])), 0, state_->geometry().size[a] - 1);
  const double value = volume_->valueAt(voxel[0], voxel[1], voxel[2]) * rescale_.slope + rescale_.intercept;
  QString text = QStringLiteral("(%1, %2, %3)  %4").arg(voxel[0]).arg(voxel[1]).arg(voxel[2]).arg(value, 0, 'g', 6);
  if (!rescale_.unit.empty()) text += QLatin1Char(' ') + QString::fromStdString(rescale_.unit);
  const core::Vec3 point = state_->grid(plane_).physical(px, py, state_->depth(plane_));
  if (heatmap_)
    if (const auto v = heatmap_->sample(point, Interpolation::Linear))
      text += QStringLiteral("  map %1").arg(static_cast<double>(*v), 0, 'g', 4);
  if (labels_)
    if (const int label = labels_->labelAt(point); label > 0) text += QStringLiteral("  class %1").arg(label);
  return text;
}

void MprPlaneView::paintOverlays(QPainter& painter) const {
  if (!hasVolume_) return;
  if (heatmap_ && heatmapVisible_ && heatmap_->hasMap()) {
    // Left of the orientation letter at the plane's right edge.
    paintColorBar(painter, *heatmap_, colorBarArea(decorations_->size()).translated(-16, 0));
  }
  const auto toView = [this](Point2 p) { return viewPointOf(p); };
  // Shapes under measurements, as on the 2D viewer; only those of the voxel slice shown.
  if (const LabelLayer* labels = tools_.labelsOn(state_->sliceIndex(plane_)))
    overlay2d::paintLabels(painter, toView, *labels);
  if (const ToolController2D* tools = tools_.find(state_->sliceIndex(plane_)))
    overlay2d::paintMeasurements(painter, toView, *tools, [this](const Measurement& m) { return measurementText(m); });
  if (probeAt_ && tools_.tool() == Tool2D::Probe) {
    const Point2 p = planePointAt(*probeAt_);
    const QString text = probeText(p[0], p[1]);
    if (!text.isEmpty()) overlay2d::paintLabelText(painter, QPointF(*probeAt_) + QPointF(14, 22), text, Qt::white);
  }
}

void MprPlaneView::setTool(Tool2D tool) {
  if (!MprPlaneTools::supports(tool)) return;
  tools_.setTool(tool);
  setCursor(tool == Tool2D::Navigate ? Qt::ArrowCursor : Qt::CrossCursor);
  probeAt_.reset();
  decorations_->update();
}

void MprPlaneView::clearMeasurements() {
  tools_.clear();
  decorations_->update();
}

void MprPlaneView::setLabelClasses(std::vector<core::AnnotationClass> classes) {
  tools_.setClasses(std::move(classes));
  decorations_->update();
}

core::Result<std::string> MprPlaneView::addLabel(int slice, core::Annotation annotation) {
  auto id = tools_.addLabel(slice, std::move(annotation));
  if (id && slice == state_->sliceIndex(plane_)) decorations_->update();
  return id;
}

void MprPlaneView::clearLabels() {
  tools_.clearLabels();
  decorations_->update();
}

}  // namespace meridian::viewers
