#pragma once
// One plane (axial, coronal or sagittal) of the volume viewer: the volume resliced along the
// patient plane through the crosshair (vtkImageReslice driven by MprGeometry's matrix, so the
// direction cosines are honoured), an optional label map (nearest neighbour, class colours)
// and heatmap layer on top, the crosshair and the orientation letters; over those, drawn by
// Qt on MprPlaneDecorations, the heatmap's colour bar, the label shapes and measurements of
// the slice shown (MprPlaneTools) and the probe readout. It edits the VolumeViewState it is
// given and says so by signal; the VolumeViewer owns the state and refreshes all planes.
//
// Mouse and keys: with the Navigate tool, left click/drag moves the crosshair; with a
// measuring or label tool, left press/drag/release draw the measurement or shape instead
// (Probe, which draws nothing, leaves clicks to the crosshair and writes the value under the
// pointer; EditLabels drags a shape's vertex or body and selects it, a click beside every
// shape clears the selection). Wheel, PageUp/PageDown and Up/Down scroll slices; Ctrl+wheel
// zooms about the cursor; middle-drag or Shift+left-drag pans; right-drag sets window/level
// (right = wider, down = brighter); double-click refits (Navigate and Probe) or closes a
// polygon (LabelPolygon, as Enter does). Delete removes the selected label shape of the
// slice, else its newest measurement; Escape drops what is being drawn.

#include <QPoint>
#include <QString>

#include <array>
#include <cstdint>
#include <optional>
#include <tuple>
#include <vector>

#include <vtkSmartPointer.h>

#include "meridian/core/HeatmapOverlay.hpp"
#include "meridian/core/Image2D.hpp"
#include "meridian/viewers/HeatmapLayer.hpp"
#include "meridian/viewers/MprGeometry.hpp"
#include "meridian/viewers/MprPlaneTools.hpp"
#include "meridian/viewers/VtkRenderWidget.hpp"

class QPainter;

class vtkImageData;
class vtkImageReslice;
class vtkImageSlice;
class vtkImageStack;

namespace meridian::viewers {

class MprPlaneDecorations;
class VolumeLabelMap;
class VolumeViewState;

/// The layers a plane draws over the volume, all owned by the VolumeViewer.
struct PlaneOverlays {
  const HeatmapLayer* heatmap = nullptr;  // nullptr or a layer without map: none
  bool heatmapVisible = true;
  const VolumeLabelMap* labels = nullptr;  // nullptr or empty: none
  double labelOpacity = 0.4;
  /// Changes whenever a map itself changes (not its look): the planes sample them again.
  std::uint64_t generation = 0;
};

class MprPlaneView : public VtkRenderWidget {
  Q_OBJECT
 public:
  MprPlaneView(Plane plane, VolumeViewState* state, QWidget* parent = nullptr);
  ~MprPlaneView() override;

  Plane plane() const { return plane_; }
  /// The volume in voxel-index space (VolumeVtkImage.hpp); nullptr clears the plane.
  /// `background` fills what lies outside the volume (its minimum: air, not mid-grey).
  /// `volume` (the same voxels, kept by the caller) and `rescale` give the probe and the
  /// ROI statistics their values. Drops the measurements of the previous volume.
  void setVolume(vtkImageData* indexImage, double background, const core::Volume* volume = nullptr,
                 ValueRescale rescale = {});
  /// The display values of the probe and ROI statistics (a new unit).
  void setValueRescale(ValueRescale rescale) { rescale_ = std::move(rescale); }
  /// Reslices at the state's depth and applies window (in stored values), camera, overlays
  /// and decorations. Maps are sampled again only when the plane or a map changed; a new
  /// look (colour map, opacity, threshold, shown or not) only recolours the samples.
  void refresh(core::WindowLevel storedWindow, const PlaneOverlays& overlays);
  /// Camera and crosshair only (zoom and pan of this plane changed).
  void refreshView();
  /// The plane as resliced for the last refresh (stored values, rows top to bottom).
  core::Image2D reslicedPlane() const;
  MprPlaneDecorations* decorations() const { return decorations_; }

  /// The plane's measuring and label tools (measurements and label shapes per voxel slice).
  const MprPlaneTools& tools() const { return tools_; }
  /// Only tools MprPlaneTools::supports() are taken.
  void setTool(Tool2D tool);
  void clearMeasurements();
  /// Class of new label shapes, and the colours of all classes (the viewer's, shared by the planes).
  void setLabelClass(const std::string& name) { tools_.setLabelClass(name); }
  void setLabelClasses(std::vector<core::AnnotationClass> classes);
  /// Puts a shape (plane pixel coordinates) on voxel slice `slice` of this plane.
  core::Result<std::string> addLabel(int slice, core::Annotation annotation);
  void clearLabels();
  /// Where plane pixel (px, py) is in view pixels, and back.
  QPointF viewPointOf(Point2 planePixel) const;
  Point2 planePointAt(QPointF viewPosition) const;
  /// What a measurement on the slice shown reads (mm, degrees, ROI statistics in display values).
  std::string measurementText(const Measurement& measurement) const;
  /// The value under plane pixel (px, py) of the slice shown, for the probe: nearest voxel,
  /// in display values, with the heatmap's and label map's values there.
  QString probeText(double px, double py) const;

 Q_SIGNALS:
  /// The user moved the crosshair, scrolled or changed the window: every plane must refresh.
  void stateEdited();
  /// The pointer is over plane pixel (px, py).
  void hovered(double px, double py);
  /// A finished measurement's value, for the status bar.
  void statusMessage(QString message);
  /// A label tool drew, moved or deleted a shape on this plane (not setAnnotations).
  void labelsEdited();

 protected:
  void resizeGL(int width, int height) override;
  void resizeEvent(QResizeEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  void leaveEvent(QEvent* event) override;

 private:
  /// Samples and colours the label map and the heatmap as needed; true when what the
  /// overlays show changed.
  bool updateOverlays(const PlaneOverlays& overlays, bool planeMoved);
  /// What the heatmap's samples are coloured with (a change recolours without resampling).
  using HeatmapLook = std::tuple<bool, int, double, std::optional<double>, std::array<double, 2>>;
  HeatmapLook lookOf(const PlaneOverlays& overlays) const;
  /// The plane's pixel centres in patient space, for sampling maps.
  SamplingGrid samplingGrid() const;
  void paintOverlays(QPainter& painter) const;
  /// The resliced plane, copied once per plane position (for ROI statistics).
  const core::Image2D& currentPlane() const;
  /// Six screen pixels in plane pixels.
  double grabTolerance() const;
  void afterToolEdit(bool changed, std::size_t measurementsBefore);
  void reportToolError(const ToolController2D& tools);
  /// True when the camera moved (the plane must be rendered again).
  bool applyCamera();
  void updateCrosshair();
  void pointAt(QPointF viewPosition);

  Plane plane_;
  VolumeViewState* state_;
  MprPlaneDecorations* decorations_ = nullptr;
  vtkSmartPointer<vtkImageReslice> reslice_;
  vtkSmartPointer<vtkImageSlice> image_;
  vtkSmartPointer<vtkImageSlice> overlay_;
  vtkSmartPointer<vtkImageData> overlayData_;
  vtkSmartPointer<vtkImageSlice> labelSlice_;
  vtkSmartPointer<vtkImageData> labelData_;
  vtkSmartPointer<vtkImageStack> stack_;
  bool hasVolume_ = false;
  const core::Volume* volume_ = nullptr;
  ValueRescale rescale_;
  // What the overlays were last sampled and coloured for.
  std::optional<std::tuple<std::array<double, 16>, std::uint64_t>> sampledFor_;
  std::vector<float> heatmapSamples_;
  std::optional<HeatmapLook> heatmapLook_;
  const HeatmapLayer* heatmap_ = nullptr;  // the layer shown (for the colour bar and probe)
  bool heatmapVisible_ = true;
  const VolumeLabelMap* labels_ = nullptr;
  mutable core::Image2D planeCache_;
  mutable std::optional<std::array<double, 16>> planeCacheAxes_;
  MprPlaneTools tools_;
  bool toolDrag_ = false;  // the left drag belongs to the tool
  int toolSlice_ = -1;     // the voxel slice shown at the last refresh
  std::optional<QPoint> probeAt_;
  std::optional<std::array<double, 16>> lastAxes_;   // reslice axes of the last refresh
  std::optional<std::array<double, 3>> lastCamera_;  // focal x, y and parallel scale applied
  Qt::MouseButton dragButton_ = Qt::NoButton;
  bool panning_ = false;
  QPoint lastMouse_;
};

}  // namespace meridian::viewers
