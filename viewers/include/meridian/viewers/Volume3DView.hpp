#pragma once
// The volume viewer's 3D view: the volume ray cast on the GPU (vtkSmartVolumeMapper picks
// vtkGPUVolumeRayCastMapper whenever the OpenGL context supports it, which includes Mesa's
// llvmpipe under Xvfb) with three presets. Left-drag rotates, wheel zooms, middle-drag pans,
// double-click resets to the anterior view.
//
// Opening a volume must not wait for the 3D view (issue 17: the planes' first frame <= 1 s
// after a 512x512x300 CT is read). setVolume() only takes the volume; the mapper gets it when
// the viewer calls startDrawing() (after the planes' first frame), so the ray casting's first
// frame -- texture upload and a full ray cast, seconds under software GL -- comes after the
// planes are on screen. Under software GL, where the texture is a copy in the process's own
// memory, a volume of over kSoftwareGlVoxels voxels is drawn from a block-averaged 8-bit copy
// (VolumeDownsample.hpp) made on a worker thread meanwhile; with a hardware GPU the voxels
// are drawn as they are.

#include <QPoint>
#include <QString>

#include <array>
#include <atomic>
#include <memory>
#include <thread>

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

  /// Most voxels drawn under software GL; larger volumes are drawn from a copy block-averaged
  /// to fit, one byte a voxel (a 512x512x300 CT: 2x2x2 blocks, 9.4 MiB, and as much again for
  /// its texture; an int16 copy was twice both). The byte spans byteCopyWindow(): 16 HU a step
  /// for CT, finer than any 3D preset's ramp needs.
  static constexpr std::size_t kSoftwareGlVoxels = std::size_t{16} << 20;

  /// Takes `volume` for drawing, placed in patient space by its geometry; `indexImage` is its
  /// voxels as VTK sees them (voxel-index space, VolumeVtkImage.hpp), `storedRange` their
  /// smallest and largest value. Nothing is drawn until startDrawing().
  void setVolume(std::shared_ptr<const core::Volume> volume, vtkImageData* indexImage,
                 std::array<double, 2> storedRange);
  /// Hands the volume to the mapper as soon as its voxels are ready (at once, or when the
  /// worker's copy is done) and draws it.
  void startDrawing();
  /// The volume of the last setVolume() is on the mapper (after startDrawing()).
  bool isReady() const { return hasVolume_ && !pending_; }
  /// Runs the event loop until isReady() (starting the drawing if nobody did); false after
  /// `timeoutMs`. For screenshots and tests.
  bool waitUntilReady(int timeoutMs = 60000);
  /// Block sizes of the copy drawn (1, 1, 1 when the volume is drawn as it is).
  std::array<int, 3> drawnFactors() const { return drawnFactors_; }
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
  /// Hands the ready image to the mapper when it belongs to the current volume and drawing may start.
  void adopt(std::uint64_t generation);
  void stopWorker();

  vtkSmartPointer<vtkSmartVolumeMapper> mapper_;
  vtkSmartPointer<vtkVolume> actor_;
  bool hasVolume_ = false;
  // The volume waiting to be drawn: set by setVolume(), drawn once the viewer allows it and
  // (under software GL) the worker's copy is done. Only the UI thread touches these.
  bool pending_ = false;
  bool drawingAllowed_ = false;
  std::uint64_t generation_ = 0;
  std::shared_ptr<const core::Volume> volume_;
  std::shared_ptr<const core::Volume> drawnVolume_;  // volume_ or the copy: its geometry places the actor
  vtkSmartPointer<vtkImageData> fullImage_;   // the viewer's image of all the voxels
  vtkSmartPointer<vtkImageData> readyImage_;  // what the mapper gets: fullImage_ or the copy
  std::array<int, 3> drawnFactors_{1, 1, 1};
  std::thread worker_;
  std::atomic<bool> cancel_{false};
  std::array<double, 2> storedRange_{0.0, 1.0};  // of volume_'s stored values
  // What the mapper draws, in its own stored values: the presets' HU go through this rescale.
  double slope_ = 1.0, intercept_ = 0.0;  // drawn value -> HU
  std::array<double, 2> drawnRange_{0.0, 1.0};
  Volume3DPreset preset_ = Volume3DPreset::CtBone;
  Qt::MouseButton dragButton_ = Qt::NoButton;
  QPoint lastMouse_;
};

}  // namespace meridian::viewers
