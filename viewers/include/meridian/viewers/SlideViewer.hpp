#pragma once
// The whole-slide viewer: draws the tiles of the pyramid level that fits the zoom with
// QPainter, loads missing tiles on worker threads (TileLoader) into an LRU cache
// (TileCache; size from QSettings "slideViewer/cacheMB", default 512, at least 64) and, while they load,
// draws the same area from coarser cached tiles so nothing flashes blank. Drag pans, the
// wheel (or pinch, or Ctrl + trackpad scroll) zooms about the cursor, trackpad scrolling pans;
// + / - / arrows / Home from the keyboard. A minimap (top right, click or drag to move),
// a scale bar in µm and the magnification (bottom left). A heatmap (HeatmapLayer) is drawn
// tile by tile over the slide. A tile whose read fails is drawn as an error tile (and reported
// through statusMessage) until the slide is opened again; the rest of the slide stays usable.

#include <QImage>
#include <QWidget>

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "meridian/core/Result.hpp"
#include "meridian/core/SlideSource.hpp"
#include "meridian/core/Volume.hpp"
#include "meridian/viewers/HeatmapLayer.hpp"
#include "meridian/viewers/SlideViewState.hpp"
#include "meridian/viewers/TileCache.hpp"
#include "meridian/viewers/TileLoader.hpp"

namespace meridian::viewers {

class SlideViewer : public QWidget {
  Q_OBJECT
 public:
  static constexpr int kTileSize = 256;

  explicit SlideViewer(QWidget* parent = nullptr);
  ~SlideViewer() override;

  /// Shows a slide fitted to the view (nullptr: nothing). Tiles start loading at once.
  void setSlide(std::shared_ptr<const core::SlideSource> slide);
  bool hasSlide() const { return slide_ != nullptr; }
  const std::shared_ptr<const core::SlideSource>& slide() const { return slide_; }

  /// A map in level-0 pixel geometry (see HeatmapLayer.hpp). Refused, with the reason,
  /// when it is not a valid map or does not fit inside the slide; the old one is dropped.
  core::Status setHeatmap(core::Volume map, double opacity = 0.5, core::ColorMap colors = core::ColorMap::Jet);
  void clearHeatmap();
  const HeatmapLayer& heatmap() const { return heatmap_; }
  void setHeatmapOpacity(double opacity);
  void setHeatmapThreshold(std::optional<double> threshold);

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
  /// Tiles whose read failed since the slide was opened.
  int failedTiles() const { return failedTiles_; }
  const TileCache& cache() const { return cache_; }
  const TileLoader& loader() const { return *loader_; }
  void setCacheCapacityMB(int megabytes);
  /// Paint events handled so far (the benchmark checks that its frames were really drawn).
  std::uint64_t framesPainted() const { return framesPainted_; }

 public Q_SLOTS:
  void resetView();

 Q_SIGNALS:
  void viewChanged();
  /// Every visible tile of the fitting level has arrived (after a move or a zoom).
  void fieldOfViewComplete();
  /// Something the user should read in the status bar (a failed read).
  void statusMessage(const QString& message);

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
  void addToThumbnail(const TileKey& key, const QImage& image);

  std::shared_ptr<const core::SlideSource> slide_;
  SlideViewState state_;
  TileCache cache_;
  TileLoader* loader_ = nullptr;
  QImage thumbnail_;  // the coarsest level, scaled to the minimap
  HeatmapLayer heatmap_;
  std::unordered_map<TileKey, QImage, TileKeyHash> heatmapTiles_;  // rendered overlay per tile
  int failedTiles_ = 0;
  std::uint64_t framesPainted_ = 0;
  bool fovComplete_ = false;
  enum class Drag { None, Pan, Minimap } drag_ = Drag::None;
  QPointF lastMouse_;
};

}  // namespace meridian::viewers
