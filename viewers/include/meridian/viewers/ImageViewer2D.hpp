#pragma once
// The 2D viewer: one image (grayscale or RGB) drawn through VTK, wheel to zoom about the
// cursor, left-drag to pan (Navigate tool), middle-drag to pan with any tool, right-drag
// for window/level, double-click to reset. A DICOM image opens with the presentation its
// file asks for (ImagePresentation.hpp: first VOI LUT, else first stored window); a
// "Window" button over the image offers the file's other LUTs and windows and the free
// W/L, which a right-drag switches to. Multi-frame images (cine loops, OCT stacks)
// step with Ctrl+wheel or Page Up/Down. Over the image: a heatmap layer with its colour
// bar, a label layer (points, rectangles, polygons, label map) and measurements, drawn by
// a transparent QPainter canvas (see OverlayCanvas.hpp for why not inside paintGL).

#include <QPoint>
#include <QString>

#include <memory>
#include <optional>

#include "meridian/core/Image2D.hpp"
#include "meridian/core/Volume.hpp"
#include "meridian/viewers/HeatmapLayer.hpp"
#include "meridian/viewers/ImagePresentation.hpp"
#include "meridian/viewers/ImageViewState.hpp"
#include "meridian/viewers/LabelLayer.hpp"
#include "meridian/viewers/OverlayTarget.hpp"
#include "meridian/viewers/ToolController2D.hpp"
#include "meridian/viewers/VtkRenderWidget.hpp"

class QImage;
class QPainter;
class QToolButton;
class vtkImageSlice;
class vtkImageData;

namespace meridian::viewers {

class OverlayCanvas;

class ImageViewer2D : public VtkRenderWidget, public OverlayTarget {
  Q_OBJECT
 public:
  explicit ImageViewer2D(QWidget* parent = nullptr);
  ~ImageViewer2D() override;

  enum class View { Reset, Keep };
  /// Shows `image` (a copy is kept). View::Reset fits it to the view with its default
  /// window; View::Keep keeps zoom, pan and window when the new image has the same size
  /// and spacing (the next slice of a volume), and resets otherwise. A single image drops
  /// any frame stack; a heatmap that no longer fits is dropped (heatmapDropped()).
  void setImage(const core::Image2D& image, View view = View::Reset);
  bool hasImage() const { return hasImage_; }
  const core::Image2D& image() const { return image_; }
  const ImageViewState& state() const { return state_; }
  /// Applies a state change made outside the widget (tests, linked views); a window is
  /// on the image's values, so it switches to the free W/L presentation.
  void setWindow(core::WindowLevel window);

  /// What the file offers (VOI LUTs, stored windows, then free W/L) and which is shown.
  const std::vector<PresentationChoice>& presentations() const { return presentations_; }
  std::size_t presentation() const { return presentation_; }
  /// Shows choice `index` of presentations(); refused with the reason (the current one stays).
  core::Status setPresentation(std::size_t index);
  /// The pixels VTK draws: the VOI LUT's output under a VOI LUT presentation, else image().
  const core::Image2D& displayedImage() const { return lutOutput_ ? *lutOutput_ : image_; }
  void resetView();

  /// A multi-frame image (depth = frames; 1 or 3 channels): shows its middle frame.
  void setFrames(std::shared_ptr<const core::Volume> frames);
  int frameCount() const;
  int frame() const { return frame_; }
  /// Shows frame k (clamped), keeping zoom, pan and window.
  void setFrame(int k);

  /// A map in the image's pixel geometry (HeatmapLayer.hpp). Refused, with the reason
  /// (both extents), when it is not a valid map or does not fit inside the image.
  core::Status setHeatmap(core::Volume map, double opacity = 0.5, core::ColorMap colors = core::ColorMap::Jet);
  void clearHeatmap();
  const HeatmapLayer& heatmap() const override { return heatmap_; }
  void setHeatmapOpacity(double opacity) override;
  void setHeatmapThreshold(std::optional<double> threshold) override;
  void setHeatmapColorMap(core::ColorMap colors) override;
  void setHeatmapVisible(bool visible) override;
  bool heatmapVisible() const override { return heatmapVisible_; }

  const LabelLayer& labels() const { return labels_; }
  /// Replaces the annotations (a loaded GeoJSON file).
  void setAnnotations(core::AnnotationSet set) override;
  bool supportsAnnotations() const override { return true; }
  core::AnnotationSet annotations() const override { return labels_.annotations(); }
  /// A label map the size of the image (LabelLayer::setLabelMap).
  core::Status setLabelMap(core::Image2D labelMap, std::vector<std::string> names = {});
  double labelMapOpacity() const override { return labelMapOpacity_; }
  void setLabelMapOpacity(double opacity) override;

  Tool2D tool() const override { return tools_.tool(); }
  bool supportsTool(Tool2D) const override { return true; }
  void setTool(Tool2D tool) override;
  void setLabelClass(const QString& name) override;
  const ToolController2D& tools() const { return tools_; }
  void clearMeasurements() override;
  /// Unit of the pixel values for readouts ("HU" for CT; empty when unknown).
  void setValueUnit(const QString& unit);

  /// The view as shown (image and overlays), for "Save view as PNG".
  QImage renderView();
  bool saveScreenshot(const QString& path) override;

 Q_SIGNALS:
  /// The pixel under the mouse and its value(s), for the status bar.
  void pixelHovered(int x, int y, QString valueText);
  void frameChanged(int frame, int count);
  /// A result or a problem worth the status bar (a measurement's value, a refused edit).
  void statusMessage(QString message);
  /// The heatmap was dropped because the new image is not the one it was made for.
  void heatmapDropped(QString reason);
  void annotationsChanged();

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
  void applyStateToScene();
  /// Hands displayedImage() to VTK (a new image, or another presentation of it).
  void rebuildSlice();
  /// Computes presentation `index` (lutOutput_, the window) without drawing; refused with
  /// the reason, leaving the current one.
  core::Status choosePresentation(std::size_t index);
  /// Shows presentation `index`, or the free W/L (and says why) when it cannot be applied.
  void showPresentation(std::size_t index);
  void rebuildWindowMenu();   // one checkable entry per presentation (a new image's choices)
  void updateWindowButton();  // its text and check mark
  void showFrameImage(int k, View view);
  /// Samples the map over the image again (new map, image or frame), then recolours.
  void resampleHeatmap();
  /// Colours the kept samples with the layer's current look (colour map, opacity, threshold).
  void rebuildHeatmapRaster();
  void rebuildLabelRaster();
  void paintOverlays(QPainter& painter);
  QString valueTextAt(int x, int y) const;
  Point2 imagePointAt(QPointF viewPos) const;
  double grabTolerance() const;
  void afterToolEdit(bool changed, std::size_t measurementsBefore, std::size_t labelsBefore);

  core::Image2D image_;
  bool hasImage_ = false;
  ImageViewState state_;
  vtkImageSlice* slice_ = nullptr;  // owned by the renderer
  Qt::MouseButton dragButton_ = Qt::NoButton;
  bool toolDrag_ = false;  // the left drag belongs to the tool, not to panning
  QPoint lastMouse_;
  std::optional<QPoint> probeAt_;

  std::vector<PresentationChoice> presentations_;
  std::size_t presentation_ = 0;
  std::optional<core::Image2D> lutOutput_;  // the VOI LUT's output while one is presented
  core::WindowLevel freeWindow_{};          // the free W/L's window (the data's, or as dragged)
  QToolButton* windowButton_ = nullptr;     // child widget, owned by Qt

  std::shared_ptr<const core::Volume> frames_;
  int frame_ = 0;

  HeatmapLayer heatmap_;
  bool heatmapVisible_ = true;
  std::vector<float> heatmapSamples_;  // the map's values over the whole image, NaN = none
  int heatmapSamplesWidth_ = 0, heatmapSamplesHeight_ = 0;
  std::unique_ptr<QImage> heatmapRaster_;
  LabelLayer labels_;
  std::unique_ptr<QImage> labelRaster_;
  double labelMapOpacity_ = 0.4;
  ToolController2D tools_{labels_};
  QString valueUnit_;
  OverlayCanvas* canvas_ = nullptr;  // child widget, owned by Qt
};

}  // namespace meridian::viewers
