#pragma once
// One plane (axial, coronal or sagittal) of the volume viewer: the volume resliced along the
// patient plane through the crosshair (vtkImageReslice driven by MprGeometry's matrix, so the
// direction cosines are honoured), an optional heatmap layer on top, the crosshair and the
// orientation letters. It edits the VolumeViewState it is given and says so by signal; the
// VolumeViewer owns the state and refreshes all planes.
//
// Mouse and keys: left click/drag moves the crosshair; wheel, PageUp/PageDown and Up/Down
// scroll slices; Ctrl+wheel zooms about the cursor; middle-drag or Shift+left-drag pans;
// right-drag sets window/level (right = wider, down = brighter); double-click refits.

#include <QPoint>

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include <vtkSmartPointer.h>

#include "meridian/core/Image2D.hpp"
#include "meridian/viewers/MprGeometry.hpp"
#include "meridian/viewers/VtkRenderWidget.hpp"

class vtkImageData;
class vtkImageReslice;
class vtkImageSlice;
class vtkImageStack;

namespace meridian::viewers {

class HeatmapLayer;
class MprPlaneDecorations;
class VolumeViewState;

class MprPlaneView : public VtkRenderWidget {
  Q_OBJECT
 public:
  MprPlaneView(Plane plane, VolumeViewState* state, QWidget* parent = nullptr);
  ~MprPlaneView() override;

  Plane plane() const { return plane_; }
  /// The volume in voxel-index space (VolumeVtkImage.hpp); nullptr clears the plane.
  /// `background` fills what lies outside the volume (its minimum: air, not mid-grey).
  void setVolume(vtkImageData* indexImage, double background);
  /// Reslices at the state's depth and applies window (in stored values), camera, overlay
  /// (nullptr or a layer without map: none) and decorations.
  void refresh(core::WindowLevel storedWindow, const HeatmapLayer* heatmap);
  /// Camera and crosshair only (zoom and pan of this plane changed).
  void refreshView();
  /// The plane as resliced for the last refresh (stored values, rows top to bottom).
  core::Image2D reslicedPlane() const;
  MprPlaneDecorations* decorations() const { return decorations_; }

 Q_SIGNALS:
  /// The user moved the crosshair, scrolled or changed the window: every plane must refresh.
  void stateEdited();
  /// The pointer is over plane pixel (px, py).
  void hovered(double px, double py);

 protected:
  void resizeGL(int width, int height) override;
  void resizeEvent(QResizeEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;

 private:
  void updateOverlay(const HeatmapLayer* heatmap);
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
  vtkSmartPointer<vtkImageStack> stack_;
  bool hasVolume_ = false;
  std::optional<std::array<double, 16>> lastAxes_;   // reslice axes of the last refresh
  std::optional<std::array<double, 3>> lastCamera_;  // focal x, y and parallel scale applied
  Qt::MouseButton dragButton_ = Qt::NoButton;
  bool panning_ = false;
  QPoint lastMouse_;
};

}  // namespace meridian::viewers
