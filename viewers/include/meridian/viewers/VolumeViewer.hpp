#pragma once
// The volume viewer: axial, coronal and sagittal planes with a linked crosshair and a 3D
// view (GPU ray casting) in a 2x2 layout, a bar with window presets, 3D presets and the
// crosshair link, and an optional heatmap layer resliced with the planes. All state the
// planes share lives in a VolumeViewState (crosshair, slices, zoom/pan, window/level);
// each plane is an MprPlaneView, the 3D view a Volume3DView, each its own VtkRenderWidget.
// Scalar volumes only: colour frame stacks stay in the 2D viewer.

#include <QString>
#include <QWidget>

#include <array>
#include <memory>

#include <vtkSmartPointer.h>

#include "meridian/core/Result.hpp"
#include "meridian/core/Volume.hpp"
#include "meridian/viewers/HeatmapLayer.hpp"
#include "meridian/viewers/MprGeometry.hpp"
#include "meridian/viewers/Volume3DView.hpp"
#include "meridian/viewers/VolumeViewState.hpp"

class QCheckBox;
class QLabel;
class QToolButton;
class vtkImageData;

namespace meridian::viewers {

class MprPlaneView;

class VolumeViewer : public QWidget {
  Q_OBJECT
 public:
  explicit VolumeViewer(QWidget* parent = nullptr);
  ~VolumeViewer() override;

  /// Shows a scalar volume: crosshair at the centre voxel, planes fitted, the default window
  /// of the middle axial slice, 3D view from the front. Refuses multi-channel volumes and
  /// impossible geometry (the previous volume stays). Drops any heatmap.
  core::Status setVolume(std::shared_ptr<const core::Volume> volume);
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
  /// the axial plane also shows; the previous map stays.
  core::Status setHeatmap(core::Volume map);
  void clearHeatmap();
  HeatmapLayer& heatmap() { return heatmap_; }
  const HeatmapLayer& heatmap() const { return heatmap_; }

 Q_SIGNALS:
  /// The crosshair moved: its patient position and the voxel value there, for a status bar.
  void crosshairMoved(QString description);
  /// The pointer is over a voxel of a plane: its patient position and value, for a status bar.
  void voxelHovered(QString description);

 private:
  QWidget* buildToolBar();
  void updateReadout();
  /// "LPS (x, y, z) mm   voxel (i, j, k)   value v" for a patient-space point inside the volume.
  QString describe(const core::Vec3& point) const;

  std::shared_ptr<const core::Volume> volume_;
  vtkSmartPointer<vtkImageData> indexImage_;
  VolumeViewState state_;
  HeatmapLayer heatmap_;
  std::array<MprPlaneView*, 3> planes_{};
  Volume3DView* view3D_ = nullptr;
  QToolButton* windowButton_ = nullptr;
  QToolButton* presetButton3D_ = nullptr;
  QCheckBox* linkBox_ = nullptr;
  QLabel* readout_ = nullptr;
};

}  // namespace meridian::viewers
