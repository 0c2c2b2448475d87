#pragma once
// The whole-slide viewer: draws the tiles of the pyramid level that fits the zoom with
// QPainter, loads missing tiles on worker threads (TileLoader) into an LRU cache
// (TileCache; size from QSettings "slideViewer/cacheMB", default 512, at least 64) and, while they load,
// draws the same area from coarser cached tiles so nothing flashes blank. Drag pans, the
// wheel (or pinch, or Ctrl + trackpad scroll) zooms about the cursor, trackpad scrolling pans;
// + / - / arrows / Home from the keyboard. A minimap (top right, click or drag to move),
// a scale bar in µm and the magnification (bottom left). A heatmap (HeatmapLayer) is drawn
// tile by tile over the slide, with its colour bar on the right (below the minimap). A label
// map (a segmentation at some downsample of the slide: class indices in level-0 pixel
// geometry, SlideViewerLabelMap.cpp) is drawn tile by tile under the heatmap, nearest
// neighbour, in LabelLayer's class colours at 40% opacity.
//
// Tools and labels (OverlayTarget, driven by the "Tools & overlays" dock): distance and
// angle (µm or mm with the slide's mpp, level-0 px without), and label points, rectangles
// and polygons that are drawn, edited (move a vertex or a shape, Delete) and kept in a
// LabelLayer in level-0 pixel coordinates with pixel centres on integers (the label and
// GeoJSON convention; SlideViewState puts pixel i over [i, i + 1), so the two differ by
// half a pixel: see labelPointAt()/labelToView(), the only places that convert). The probe
// and the ROI statistics are not offered: they need pixel values, and a slide's pixels are
// read on worker threads, never on the UI thread that handles the mouse.
//
// A tile whose read fails is drawn as an error tile (and reported through statusMessage);
// the rest of the slide stays usable. The tile is read again after a back-off
// (TileRetryPolicy: 2 s, 4 s, 8 s, then given up until the slide is opened again), when it
// is in view, so a network drive's hiccup heals and a broken region is not read forever.

#include <QImage>
#include <QWidget>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "meridian/core/Result.hpp"
#include "meridian/core/SlideSource.hpp"
#include "meridian/core/Volume.hpp"
#include "meridian/viewers/HeatmapLayer.hpp"
#include "meridian/viewers/LabelLayer.hpp"
#include "meridian/viewers/OverlayTarget.hpp"
#include "meridian/viewers/SlideViewState.hpp"
#include "meridian/viewers/TileCache.hpp"
#include "meridian/viewers/TileLoader.hpp"
#include "meridian/viewers/TileRetryPolicy.hpp"
#include "meridian/viewers/ToolController2D.hpp"
#include "meridian/viewers/VolumeLabelMap.hpp"

class QTimer;

namespace meridian::viewers {

class SlideViewer : public QWidget, public OverlayTarget {
  Q_OBJECT
 public:
  static constexpr int kTileSize = 256;
  /// How opaque a label map's class colours are over the tissue.
  static constexpr double kLabelMapOpacity = 0.4;

  explicit SlideViewer(QWidget* parent = nullptr);
  ~SlideViewer() override;

  /// Shows a slide fitted to the view (nullptr: nothing). Tiles start loading at once.
  /// Labels, measurements, the label map and the heatmap of the previous slide are dropped
  /// (their coordinates belong to it).
  void setSlide(std::shared_ptr<const core::SlideSource> slide);
  bool hasSlide() const { return slide_ != nullptr; }
  const std::shared_ptr<const core::SlideSource>& slide() const { return slide_; }

  /// A map in level-0 pixel geometry (see HeatmapLayer.hpp). Refused, with the reason,
  /// when it is not a valid map or does not fit inside the slide; the old one is dropped.
  core::Status setHeatmap(core::Volume map, double opacity = 0.5, core::ColorMap colors = core::ColorMap::Jet);
  void clearHeatmap();
  const HeatmapLayer& heatmap() const override { return heatmap_; }
  bool heatmapVisible() const override { return heatmapVisible_; }
  void setHeatmapVisible(bool visible) override;
  void setHeatmapColorMap(core::ColorMap colors) override;
  void setHeatmapOpacity(double opacity) override;
  void setHeatmapThreshold(std::optional<double> threshold) override;

  // --- tools and labels (OverlayTarget); points in level-0 pixels, centres on integers
  /// Navigate, Distance, Angle, LabelPoint, LabelRectangle, LabelPolygon, EditLabels.
  bool supportsTool(Tool2D tool) const override;
  Tool2D tool() const override { return tools_.tool(); }
  void setTool(Tool2D tool) override;
  void setLabelClass(const QString& name) override;
  /// Label shapes belong to the open slide: none to keep (or load) without one.
  bool supportsAnnotations() const override { return hasSlide(); }
  /// Label maps at a downsample of the slide (setLabelMap).
  bool supportsLabelMaps() const override { return true; }
  /// A label map over the slide, in the heatmap's slide convention (HeatmapLayer.hpp): one
  /// channel of integer class indices (0 = none; any pixel type, integer-valued floats too),
  /// depth 1, geometry in level-0 pixel coordinates (pixel centres on integers; spacing =
  /// level-0 pixels per label cell, origin = centre of cell (0, 0), identity direction).
  /// slideLabelMapFromImage (SlideLabelImage.hpp) makes one from a mask without geometry.
  /// `names[i]` names class i (its colour is then that name's, as for label shapes).
  /// Refused, with the reason and the old map kept, when it is not 1 channel, not depth 1,
  /// holds a negative or fractional value, or reaches outside the slide by more than one
  /// label cell (both extents named).
  core::Status setLabelMap(core::Volume labels, std::vector<std::string> names = {});
  void clearLabelMap();
  double labelMapOpacity() const override { return labelMapOpacity_; }
  void setLabelMapOpacity(double opacity) override;
  const VolumeLabelMap& labelMap() const { return labelMap_; }
  core::AnnotationSet annotations() const override { return labels_.annotations(); }
  void setAnnotations(core::AnnotationSet set) override;
  void clearMeasurements() override;
  const LabelLayer& labels() const { return labels_; }
  const ToolController2D& tools() const { return tools_; }
  /// What is written beside a measurement: "123.4 µm" / "1.23 mm" with the slide's mpp,
  /// "456.0 px (no mpp)" without; angles in degrees.
  std::string measurementText(const Measurement& measurement) const;
  /// The widget as shown (tiles, heatmap, labels, measurements, decorations) to a PNG file.
  bool saveScreenshot(const QString& path) override;

  /// How failed tiles are read again (tests shorten the wait; the default suits people).
  void setRetrySettings(TileRetryPolicy::Settings settings) { retry_.setSettings(settings); }
  const TileRetryPolicy& retryPolicy() const { return retry_; }

  const SlideViewState& state() const { return state_; }
  /// Zoom and centre in level-0 pixels (clamped), as if the user had navigated there.
  void setView(double zoom, double centreX, double centreY);
  void zoomAbout(double factor, QPointF at);
  void panBy(QPointF delta);

  /// True when every tile of the fitting level in view is cached (read or failed).
  bool isFieldOfViewComplete() const;
  /// Runs the event loop until the field of view is complete (for screenshots and tests);
  /// false after timeoutMs.
  bool waitForFieldOfView(int timeoutMs = 20000);
  /// Tiles whose reads fail now (each counted once, however often it was retried; a tile
  /// that heals on a retry no longer counts).
  int failedTiles() const { return failedTiles_; }
  const TileCache& cache() const { return cache_; }
  const TileLoader& loader() const { return *loader_; }
  void setCacheCapacityMB(int megabytes);
  /// Threads that read tiles (the threads preference; <= 0: the loader's default).
  void setLoaderThreads(int threads) { loader_->setThreadCount(threads); }
  /// Paint events handled so far (the benchmark checks that its frames were really drawn).
  std::uint64_t framesPainted() const { return framesPainted_; }
  /// Rendered overlay tiles held now (heatmap and label map), and how many each cache keeps
  /// before it is cleared (about three screens of the level in view, at least 128).
  std::size_t overlayTilesCached() const { return heatmapTiles_.size() + labelTiles_.size(); }
  std::size_t overlayTileLimit() const;

 public Q_SLOTS:
  void resetView();

 Q_SIGNALS:
  void viewChanged();
  /// Every visible tile of the fitting level has arrived (after a move or a zoom).
  void fieldOfViewComplete();
  /// Something the user should read in the status bar (a failed read, a measurement's
  /// value, an edit that was refused).
  void statusMessage(const QString& message);
  /// A label shape was added, moved, deleted or the set replaced.
  void annotationsChanged();

 protected:
  void paintEvent(QPaintEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  bool event(QEvent* event) override;

 private:
  void onTileLoaded(TileKey key, const SlideTile& tile);
  void viewMoved();
  void requestTiles();
  QRect screenRect(const SlideRect& r) const;
  void drawTile(QPainter& painter, const TileKey& key);
  bool drawFromCoarser(QPainter& painter, const SlideRect& area, int finerThan);
  void drawHeatmapTile(QPainter& painter, const TileKey& key);
  // The label map and the heatmap over the tiles in view (SlideViewerLabelMap.cpp).
  void paintTileOverlays(QPainter& painter, const TileRange& range);
  void drawLabelMapTile(QPainter& painter, const TileKey& key);
  void addToThumbnail(const TileKey& key, const QImage& image);
  void recordTileResult(const TileKey& key, const SlideTile& tile);
  void scheduleRetry();
  // Overlays (SlideViewerOverlays.cpp).
  void paintOverlays(QPainter& painter);
  Point2 labelPointAt(QPointF viewPos) const;
  QPointF labelToView(Point2 p) const;
  double grabTolerance() const;
  void afterToolEdit(bool changed, std::size_t measurementsBefore, std::size_t labelsBefore);
  void resetOverlays();

  std::shared_ptr<const core::SlideSource> slide_;
  SlideViewState state_;
  TileCache cache_;
  TileLoader* loader_ = nullptr;
  QImage thumbnail_;  // the coarsest level, scaled to the minimap
  HeatmapLayer heatmap_;
  std::unordered_map<TileKey, QImage, TileKeyHash> heatmapTiles_;  // rendered overlay per tile
  bool heatmapVisible_ = true;
  VolumeLabelMap labelMap_;
  double labelMapOpacity_ = kLabelMapOpacity;
  std::unordered_map<TileKey, QImage, TileKeyHash> labelTiles_;  // rendered label map per tile
  LabelLayer labels_;
  ToolController2D tools_{labels_};
  bool toolDrag_ = false;  // the left drag belongs to the tool, not to panning
  TileRetryPolicy retry_;
  QTimer* retryTimer_ = nullptr;  // wakes the viewer when a failed tile in view may be read again
  int failedTiles_ = 0;
  std::uint64_t framesPainted_ = 0;
  bool fovComplete_ = false;
  enum class Drag { None, Pan, Minimap } drag_ = Drag::None;
  QPointF lastMouse_;
};

}  // namespace meridian::viewers
