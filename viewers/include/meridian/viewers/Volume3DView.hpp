#pragma once
// The volume viewer's 3D view: the volume ray cast on the GPU (vtkSmartVolumeMapper picks
// vtkGPUVolumeRayCastMapper whenever the OpenGL context supports it, which includes Mesa's
// llvmpipe under Xvfb) with three presets. Left-drag rotates, wheel zooms, middle-drag pans,
// double-click resets to the anterior view.

#include <QPoint>
#include <QString>

#include <vtkSmartPointer.h>

#include "meridian/core/Volume.hpp"
#include "meridian/viewers/InitialDisplay.hpp"
#include "meridian/viewers/VtkRenderWidget.hpp"

class vtkImageData;
class vtkSmartVolumeMapper;
class vtkVolume;

namespace meridian::viewers {

class Volume3DView : public VtkRenderWidget {
  Q_OBJECT
 public:
  explicit Volume3DView(QWidget* parent = nullptr);
  ~Volume3DView() override;

  /// Shows `indexImage` (voxel-index space, see VolumeVtkImage.hpp) placed in patient space
  /// by the volume's geometry; `volume` gives geometry and rescale, its voxels are not read.
  void setVolume(vtkImageData* indexImage, const core::Volume& volume);
  void clear();
  void setPreset(Volume3DPreset preset);
  Volume3DPreset preset() const { return preset_; }
  /// Looks at the volume from the front (anterior), patient's head up, whole volume in view.
  void resetCamera();
  /// "GPU", "CPU ray cast" or "none yet": what the mapper used for the last frame.
  QString lastRenderMode() const;

 protected:
  void wheelEvent(QWheelEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;

 private:
  void applyPreset();

  vtkSmartPointer<vtkSmartVolumeMapper> mapper_;
  vtkSmartPointer<vtkVolume> actor_;
  bool hasVolume_ = false;
  double slope_ = 1.0, intercept_ = 0.0;  // stored value -> HU, for the presets
  std::array<double, 2> storedRange_{0.0, 1.0};
  Volume3DPreset preset_ = Volume3DPreset::CtBone;
  Qt::MouseButton dragButton_ = Qt::NoButton;
  QPoint lastMouse_;
};

}  // namespace meridian::viewers
