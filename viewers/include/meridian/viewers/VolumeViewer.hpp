#pragma once
// The volume viewer: axial, coronal and sagittal planes with a linked crosshair and a 3D
// view (GPU ray casting) in a 2x2 layout, a bar with window presets, 3D presets and the
// crosshair link, and overlays resliced with the planes: a heatmap layer (colour map,
// opacity, threshold, colour bar) and a label map (a segmentation, class colours). All
// state the planes share lives in a VolumeViewState (crosshair, slices, zoom/pan,
// window/level); each plane is an MprPlaneView, the 3D view a Volume3DView, each its own
// VtkRenderWidget. Scalar volumes only: colour frame stacks stay in the 2D viewer.
//
// As an OverlayTarget (the "Tools & overlays" dock) it offers the heatmap's look, the
// measuring tools on the planes -- probe, distance and angle in mm, rectangle and ellipse
// ROIs with statistics in display values (HU for CT) -- and label shapes (points,
// rectangles, polygons with a class colour), each measurement and shape kept with the plane
// and voxel slice it was drawn on, in that plane's pixel coordinates (MprPlaneTools).
// annotations() hands the shapes out with core::Annotation's plane and slice set, so a
// GeoJSON file puts them back where they were.

#include <QString>
#include <QWidget>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <vtkSmartPointer.h>

#include "meridian/core/Result.hpp"
#include "meridian/core/Volume.hpp"
#include "meridian/viewers/HeatmapLayer.hpp"
#include "meridian/viewers/InitialDisplay.hpp"
#include "meridian/viewers/MprGeometry.hpp"
#include "meridian/viewers/MprPlaneTools.hpp"
#include "meridian/viewers/OverlayTarget.hpp"
#include "meridian/viewers/Volume3DView.hpp"
#include "meridian/viewers/VolumeLabelMap.hpp"
#include "meridian/viewers/VolumeViewState.hpp"

class QCheckBox;
class QGridLayout;
class QImage;
class QLabel;
class QToolButton;
class vtkImageData;

namespace meridian::viewers {

class MprPlaneView;
struct PlaneOverlays;

class VolumeViewer : public QWidget, public OverlayTarget {
  Q_OBJECT
 public:
  explicit VolumeViewer(QWidget* parent = nullptr);
  ~VolumeViewer() override;

  /// Shows a scalar volume: crosshair at the centre voxel, planes fitted, 3D view from the
  /// front, with the window and 3D preset that fit its modality and `region`
  /// (chooseInitialDisplay: a head CT in the brain window, an MR as a MIP), else the default
  /// window of the middle axial slice. Refuses multi-channel volumes and impossible geometry
  /// (the previous volume stays). Drops any heatmap, label map and measurement.
  core::Status setVolume(std::shared_ptr<const core::Volume> volume, BodyRegion region = BodyRegion::Unknown);
  /// What setVolume() chose for the open volume.
  const InitialDisplay& initialDisplay() const { return initialDisplay_; }
  void clear();
  bool hasVolume() const { return volume_ != nullptr; }
  const core::Volume* volume() const { return volume_.get(); }

  /// The shared state. After changing it from outside (tests, scripts), call refresh().
  VolumeViewState& state() { return state_; }
  const VolumeViewState& state() const { return state_; }
  /// Applies the state to the three planes (reslice, window, overlay, crosshair).
  void refresh();

  MprPlaneView* planeView(Plane plane) const { return planes_[static_cast<std::size_t>(plane)]; }
  Volume3DView* view3D() const { return view3D_; }

  /// A preset of ctWindowPresets() by name (values in HU, after the volume's rescale).
  bool applyWindowPreset(const QString& name);
  void set3DPreset(Volume3DPreset preset);
  /// The state's window in the volume's stored values (what VTK maps to grey).
  core::WindowLevel storedWindow() const;

  /// Overlays a map (Float32, 1 channel, in the volume's patient space) on the planes.
  /// A map that does not fit inside the volume is refused with the layer's message, which
  /// the axial plane also shows; the previous map stays. The colour map and opacity carry
  /// over from the previous map; the map is shown.
  core::Status setHeatmap(core::Volume map);
  void clearHeatmap();
  /// The layer, for its look; after changing it, call refresh(). A new map goes through setHeatmap().
  HeatmapLayer& heatmap() { return heatmap_; }
  const HeatmapLayer& heatmap() const override { return heatmap_; }
  bool heatmapVisible() const override { return heatmapVisible_; }
  void setHeatmapVisible(bool visible) override;
  void setHeatmapColorMap(core::ColorMap colors) override;
  void setHeatmapOpacity(double opacity) override;
  void setHeatmapThreshold(std::optional<double> threshold) override;

  /// A label map (segmentation: integer class indices, 0 = none, any pixel type) in the
  /// volume's patient space, drawn under the heatmap in class colours (names[i] names class
  /// i; its colour follows the name). Refused with a message (also shown on the axial
  /// plane; the previous map stays) when it is not 1 channel, holds a non-integer or
  /// negative value, or does not fit inside the volume (VolumeLabelMap::set).
  core::Status setLabelMap(core::Volume labels, std::vector<std::string> names = {});
  void clearLabelMap();
  const VolumeLabelMap& labelMap() const { return labelMap_; }
  /// Opacity of the label map's colours (0.4 by default).
  static constexpr double kLabelOpacity = 0.4;
  double labelMapOpacity() const override { return labelOpacity_; }
  void setLabelMapOpacity(double opacity) override;

  // --- tools (OverlayTarget): Navigate, Probe, Distance, Angle, RectangleRoi, EllipseRoi,
  // LabelPoint, LabelRectangle, LabelPolygon, EditLabels.
  bool supportsTool(Tool2D tool) const override { return MprPlaneTools::supports(tool); }
  Tool2D tool() const override { return tool_; }
  void setTool(Tool2D tool) override;
  /// Class of new label shapes on every plane; a new class gets its colour here, once, so it
  /// is the same on every plane and slice.
  void setLabelClass(const QString& name) override;
  bool supportsAnnotations() const override { return true; }
  /// Every label shape of every plane and slice, with `plane` ("axial", "coronal",
  /// "sagittal") and `slice` set, in that plane's pixel coordinates and, as patientPoints, in
  /// patient space (LPS, mm; PlaneShapes.hpp); the classes' colours.
  core::AnnotationSet annotations() const override;
  /// Replaces the label shapes: each goes back on its plane and slice (a shape with
  /// patientPoints where those points lie on its plane, whatever its pixels). Shapes without a plane
  /// (a 2D image's or slide's file) are put on the axial plane's current slice, so nothing
  /// opened disappears; shapes naming another plane, a slice outside the volume or too few
  /// points are skipped. Either is said by statusMessage. Without a volume nothing is kept.
  void setAnnotations(core::AnnotationSet set) override;
  void clearMeasurements() override;
  /// Unit of display values for the probe and ROI statistics ("HU" for CT by default).
  void setValueUnit(const QString& unit);

  /// The three planes and the 3D view as shown, with their overlays (no tool bar).
  QImage renderView();
  bool saveScreenshot(const QString& path) override;

 Q_SIGNALS:
  /// The crosshair moved: its patient position and the voxel value there, for a status bar.
  void crosshairMoved(QString description);
  /// The pointer is over a voxel of a plane: its patient position and value, for a status bar.
  void voxelHovered(QString description);
  /// A finished measurement's value, or a refused overlay, for a status bar.
  void statusMessage(QString message);
  /// The label shapes changed: drawn, moved or deleted on a plane, or replaced by setAnnotations().
  void annotationsChanged();

 private:
  QWidget* buildToolBar();
  /// A plane rendered a frame: once all three have since setVolume(), the 3D view starts drawing.
  void planeDrawn(Plane plane);
  void updateReadout();
  /// "LPS (x, y, z) mm   voxel (i, j, k)   value v" for a patient-space point inside the volume.
  QString describe(const core::Vec3& point) const;
  ValueRescale valueRescale() const;
  void showNote(const QString& note);

  /// What the planes draw over the volume.
  PlaneOverlays overlays() const;
  /// Gives class `name` a colour when it has none yet (the first palette colour no other
  /// class uses, as LabelLayer does) and hands the colours to the planes.
  void registerClass(const std::string& name);
  bool classInUse(const std::string& name) const;

  std::shared_ptr<const core::Volume> volume_;
  vtkSmartPointer<vtkImageData> indexImage_;
  VolumeViewState state_;
  InitialDisplay initialDisplay_;
  HeatmapLayer heatmap_;
  bool heatmapVisible_ = true;
  VolumeLabelMap labelMap_;
  double labelOpacity_ = kLabelOpacity;
  std::uint64_t overlayGeneration_ = 0;  // bumped when a map itself changes
  Tool2D tool_ = Tool2D::Navigate;
  std::vector<core::AnnotationClass> labelClasses_;  // colours of the label shapes' classes
  std::string provisionalClass_;                     // registered by setLabelClass, not drawn with yet
  QString valueUnit_;
  bool valueUnitSet_ = false;  // set by setValueUnit(), else from the volume's modality
  QGridLayout* grid_ = nullptr;
  std::array<MprPlaneView*, 3> planes_{};
  std::array<bool, 3> planesDrawn_{};  // since the last setVolume()
  Volume3DView* view3D_ = nullptr;
  QToolButton* windowButton_ = nullptr;
  QToolButton* presetButton3D_ = nullptr;
  QCheckBox* linkBox_ = nullptr;
  QLabel* readout_ = nullptr;
};

}  // namespace meridian::viewers
