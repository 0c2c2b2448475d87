#include "meridian/viewers/SlideViewer.hpp"

#include <QCoreApplication>
#include <QEventLoop>
#include <QPainter>
#include <QSettings>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "SlideDecorations.hpp"

namespace meridian::viewers {
namespace {
constexpr std::size_t kMB = std::size_t{1} << 20;
constexpr int kMinCacheMB = 64;  // 256 tiles: a 4K screen's view and its fallback
constexpr std::size_t kTileBytes = std::size_t{SlideViewer::kTileSize} * SlideViewer::kTileSize * 4;
constexpr std::size_t kMaxFinerPrefetch = 64;  // of the next finer level, nearest the centre
const QColor kBackground(236, 236, 236);       // slide glass is near white; so is the background
}  // namespace

SlideViewer::SlideViewer(QWidget* parent)
    : QWidget(parent), loader_(new TileLoader(this)), retryTimer_(new QTimer(this)) {
  setFocusPolicy(Qt::StrongFocus);
  setMouseTracking(false);
  setAttribute(Qt::WA_OpaquePaintEvent);  // paintEvent fills everything itself
  setMinimumSize(200, 150);
  setCacheCapacityMB(QSettings().value(QStringLiteral("slideViewer/cacheMB"), 512).toInt());
  connect(loader_, &TileLoader::tileLoaded, this, &SlideViewer::onTileLoaded);
  retryTimer_->setSingleShot(true);
  connect(retryTimer_, &QTimer::timeout, this, [this] {
    requestTiles();  // failed tiles in view whose wait is over go into the queue again
    scheduleRetry();
  });
  state_.setViewSize(width(), height());
}

SlideViewer::~SlideViewer() {
  delete loader_;  // stop the workers (waiting for reads in progress) while the cache still exists
}

void SlideViewer::setCacheCapacityMB(int megabytes) {
  cache_.setCapacity(static_cast<std::size_t>(std::max(kMinCacheMB, megabytes)) * kMB);
}

void SlideViewer::setSlide(std::shared_ptr<const core::SlideSource> slide) {
  slide_ = std::move(slide);
  cache_.clear();
  heatmap_.clear();
  heatmapTiles_.clear();
  heatmapVisible_ = true;
  clearLabelMap();
  resetOverlays();
  retry_.clear();
  retryTimer_->stop();
  failedTiles_ = 0;
  fovComplete_ = false;
  thumbnail_ = QImage();
  loader_->setSlide(slide_, kTileSize);
  if (slide_ && !slide_->levels().empty()) {
    state_.reset(slide_->levels(), slide_->micronsPerPixel(), kTileSize);
    state_.setViewSize(width(), height());
    state_.fit();
    // Pin the coarsest level (the fallback under everything) unless it is too big to keep.
    const auto& coarsest = slide_->levels().back();
    const double bytes = static_cast<double>(coarsest.width) * static_cast<double>(coarsest.height) * 4.0;
    cache_.setPinnedLevel(bytes <= static_cast<double>(cache_.capacity()) / 4 ? state_.coarsestLevel() : -1);
    const double scale = SlideMinimap::kLongSide / static_cast<double>(std::max(coarsest.width, coarsest.height));
    thumbnail_ = QImage(std::max(1, static_cast<int>(std::lround(coarsest.width * scale))),
                        std::max(1, static_cast<int>(std::lround(coarsest.height * scale))), QImage::Format_RGB32);
    thumbnail_.fill(Qt::white);
  } else {
    state_ = SlideViewState();
    state_.setViewSize(width(), height());
  }
  viewMoved();
}

core::Status SlideViewer::setHeatmap(core::Volume map, double opacity, core::ColorMap colors) {
  heatmapTiles_.clear();
  auto refuse = [this](const core::Error& error) {
    heatmap_.clear();
    update();
    Q_EMIT statusMessage(QString::fromStdString(error.message));
    return core::Status(error);
  };
  if (!slide_) return refuse(core::makeError(core::ErrorCode::InvalidArgument, "no slide is open to overlay a map on"));
  if (auto set = heatmap_.setMap(std::move(map)); !set) return refuse(set.error());
  const auto& l0 = slide_->levels().front();
  if (auto fits = heatmap_.checkFits(static_cast<int>(l0.width), static_cast<int>(l0.height)); !fits)
    return refuse(fits.error());
  heatmap_.setOpacity(opacity);
  heatmap_.setColorMap(colors);
  heatmapVisible_ = true;
  update();
  return core::Ok{};
}

void SlideViewer::clearHeatmap() {
  heatmap_.clear();
  heatmapTiles_.clear();
  update();
}

void SlideViewer::setHeatmapVisible(bool visible) {
  heatmapVisible_ = visible;  // the rendered tiles stay cached: showing it again costs nothing
  update();
}

void SlideViewer::setHeatmapColorMap(core::ColorMap colors) {
  heatmap_.setColorMap(colors);
  heatmapTiles_.clear();
  update();
}

void SlideViewer::setHeatmapOpacity(double opacity) {
  heatmap_.setOpacity(opacity);
  heatmapTiles_.clear();
  update();
}

void SlideViewer::setHeatmapThreshold(std::optional<double> threshold) {
  heatmap_.setThreshold(threshold);
  heatmapTiles_.clear();
  update();
}

void SlideViewer::setView(double zoom, double centreX, double centreY) {
  state_.setView(zoom, centreX, centreY);
  viewMoved();
}

void SlideViewer::zoomAbout(double factor, QPointF at) {
  state_.zoomAbout(factor, at.x(), at.y());
  viewMoved();
}

void SlideViewer::panBy(QPointF delta) {
  state_.panBy(delta.x(), delta.y());
  viewMoved();
}

void SlideViewer::resetView() {
  state_.fit();
  viewMoved();
}

void SlideViewer::viewMoved() {
  fovComplete_ = false;
  requestTiles();
  update();
  Q_EMIT viewChanged();
  if (isFieldOfViewComplete()) {
    fovComplete_ = true;
    Q_EMIT fieldOfViewComplete();
  }
}

bool SlideViewer::isFieldOfViewComplete() const {
  if (!slide_) return true;
  const TileRange range = state_.visibleTiles(state_.fittingLevel());
  for (int r = range.rowBegin; r < range.rowEnd; ++r)
    for (int c = range.colBegin; c < range.colEnd; ++c)
      if (!cache_.contains({range.level, c, r})) return false;
  return true;
}

bool SlideViewer::waitForFieldOfView(int timeoutMs) {
  if (!isFieldOfViewComplete()) {
    // A nested loop that sleeps until a tile arrives (busy-waiting would take a core from the loader).
    QEventLoop loop;
    connect(this, &SlideViewer::fieldOfViewComplete, &loop, &QEventLoop::quit);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
  }
  QCoreApplication::processEvents();  // the repaint the last tile asked for
  return isFieldOfViewComplete();
}

void SlideViewer::requestTiles() {
  if (!slide_) return;
  const int level = state_.fittingLevel();
  const int coarsest = state_.coarsestLevel();
  const TileRange visible = state_.visibleTiles(level);
  // Prefetch takes at most half the cache (less what the view itself holds), so prefetched
  // tiles never push the tiles in view out of a small cache.
  const std::size_t budgetTiles = cache_.capacity() / 2 / kTileBytes;
  std::size_t prefetchLeft = budgetTiles > static_cast<std::size_t>(visible.count())
                                 ? budgetTiles - static_cast<std::size_t>(visible.count())
                                 : 0;
  // Missing tiles, and failed ones whose wait for another read is over (TileRetryPolicy).
  const auto now = TileRetryPolicy::Clock::now();
  auto wants = [&](const TileKey& key) {
    const SlideTile* cached = cache_.peek(key);
    return (!cached || cached->failed()) && retry_.mayRead(key, now);
  };
  std::vector<TileKey> wanted;
  auto add = [&](const TileRange& range, std::size_t* budget) {
    std::vector<TileKey> keys;
    for (int r = range.rowBegin; r < range.rowEnd; ++r)
      for (int c = range.colBegin; c < range.colEnd; ++c)
        if (wants({range.level, c, r})) keys.push_back({range.level, c, r});
    // Nearest the view's centre first: that is where the eye is.
    const auto centre = state_.centre();
    auto distance = [&](const TileKey& k) {
      const SlideRect t = state_.tileRect(k.level, k.col, k.row);
      return std::hypot((t.x0 + t.x1) / 2 - centre[0], (t.y0 + t.y1) / 2 - centre[1]);
    };
    std::stable_sort(keys.begin(), keys.end(),
                     [&](const TileKey& a, const TileKey& b) { return distance(a) < distance(b); });
    if (budget) {
      keys.resize(std::min(keys.size(), *budget));
      *budget -= keys.size();
    }
    wanted.insert(wanted.end(), keys.begin(), keys.end());
  };
  if (cache_.pinnedLevel() >= 0) add(state_.allTiles(coarsest), nullptr);  // the fallback and the minimap
  // A slide without a pyramid zoomed far out would want thousands of level-0 tiles: take what
  // three quarters of the cache holds, nearest the centre (the rest stays on the fallback).
  std::size_t visibleLeft = cache_.capacity() * 3 / 4 / kTileBytes;
  // A tile given up on whose error tile the cache dropped (the view went elsewhere) is not
  // read again: put its error tile back, so it shows as failed and the view can complete.
  for (int r = visible.rowBegin; r < visible.rowEnd; ++r)
    for (int c = visible.colBegin; c < visible.colEnd; ++c)
      if (const TileKey key{level, c, r}; !cache_.peek(key) && retry_.gaveUp(key))
        cache_.insert(key, SlideTile{QImage(), tr("not read again after %1 failed reads").arg(retry_.failedReads(key))});
  add(visible, &visibleLeft);
  if (level + 1 <= coarsest) add(state_.visibleTiles(level + 1), &prefetchLeft);  // zooming out comes next
  add(state_.visibleTiles(level, 1), &prefetchLeft);                              // one ring around the view
  std::size_t finerLeft = std::min(prefetchLeft, kMaxFinerPrefetch);
  if (level > 0) add(state_.visibleTiles(level - 1), &finerLeft);  // zooming in comes next
  loader_->request(wanted);
}

void SlideViewer::recordTileResult(const TileKey& key, const SlideTile& tile) {
  if (!tile.failed()) {
    if (retry_.recordSuccess(key)) {
      failedTiles_ = std::max(0, failedTiles_ - 1);
      Q_EMIT statusMessage(
          tr("Slide tile (level %1, tile %2, %3) read on a retry").arg(key.level).arg(key.col).arg(key.row));
    }
    return;
  }
  if (retry_.failedReads(key) == 0) ++failedTiles_;
  const bool again = retry_.recordFailure(key, TileRetryPolicy::Clock::now());
  const QString next = again ? tr("retrying in %1 s").arg(retry_.delayAfter(retry_.failedReads(key)).count() / 1000.0)
                             : tr("given up after %1 reads").arg(retry_.failedReads(key));
  Q_EMIT statusMessage(tr("Slide read failed (level %1, tile %2, %3): %4 (%5) — %6 tile(s) could not be read")
                           .arg(key.level)
                           .arg(key.col)
                           .arg(key.row)
                           .arg(tile.error)
                           .arg(next)
                           .arg(failedTiles_));
  scheduleRetry();
}

void SlideViewer::scheduleRetry() {
  const auto now = TileRetryPolicy::Clock::now();
  const auto next = retry_.nextRetry(now);
  if (!next) return;
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(*next - now).count();
  if (!retryTimer_->isActive() || retryTimer_->remainingTime() > wait) retryTimer_->start(static_cast<int>(wait));
}

void SlideViewer::onTileLoaded(TileKey key, const SlideTile& tile) {
  recordTileResult(key, tile);
  if (key.level == state_.coarsestLevel() && !tile.failed()) addToThumbnail(key, tile.image);
  // The tiles in view become the most recently used before the new one goes in, so what an
  // arriving prefetched tile evicts is never on screen.
  const int level = state_.fittingLevel();
  const TileRange visible = state_.visibleTiles(level);
  for (int r = visible.rowBegin; r < visible.rowEnd; ++r)
    for (int c = visible.colBegin; c < visible.colEnd; ++c) (void)cache_.find({level, c, r});
  cache_.insert(key, tile);
  // Repaint when the tile is (or backs) something in view.
  if (key.level >= level) {
    const TileRange range = state_.visibleTiles(key.level);
    if (key.col >= range.colBegin && key.col < range.colEnd && key.row >= range.rowBegin && key.row < range.rowEnd)
      update();
  }
  if (!fovComplete_ && key.level == level && isFieldOfViewComplete()) {
    fovComplete_ = true;
    Q_EMIT fieldOfViewComplete();
  } else if (!fovComplete_ && loader_->pending() == 0 &&
             static_cast<std::size_t>(visible.count()) * kTileBytes <= cache_.capacity()) {
    requestTiles();  // a tile in view was evicted before it was drawn: ask again
  }
}

void SlideViewer::addToThumbnail(const TileKey& key, const QImage& image) {
  if (thumbnail_.isNull()) return;
  const auto& coarsest = state_.levels().back();
  const double sx = thumbnail_.width() / static_cast<double>(coarsest.width);
  const double sy = thumbnail_.height() / static_cast<double>(coarsest.height);
  const QRectF target(key.col * kTileSize * sx, key.row * kTileSize * sy, image.width() * sx, image.height() * sy);
  QPainter painter(&thumbnail_);
  painter.setRenderHint(QPainter::SmoothPixmapTransform, true);
  painter.drawImage(target, image);
}

QRect SlideViewer::screenRect(const SlideRect& r) const {
  // Round each edge on its own so neighbouring tiles share edges (no seams, no overlap).
  const auto a = state_.slideToView(r.x0, r.y0);
  const auto b = state_.slideToView(r.x1, r.y1);
  const int x0 = static_cast<int>(std::lround(a[0])), y0 = static_cast<int>(std::lround(a[1]));
  const int x1 = static_cast<int>(std::lround(b[0])), y1 = static_cast<int>(std::lround(b[1]));
  return {x0, y0, x1 - x0, y1 - y0};
}

void SlideViewer::paintEvent(QPaintEvent* /*event*/) {
  ++framesPainted_;
  QPainter painter(this);
  painter.fillRect(rect(), kBackground);
  if (!slide_) {
    painter.setPen(Qt::darkGray);
    painter.drawText(rect(), Qt::AlignCenter, tr("No slide open"));
    return;
  }
  painter.setRenderHint(QPainter::SmoothPixmapTransform, true);
  const TileRange range = state_.visibleTiles(state_.fittingLevel());
  for (int r = range.rowBegin; r < range.rowEnd; ++r)
    for (int c = range.colBegin; c < range.colEnd; ++c) drawTile(painter, {range.level, c, r});
  paintTileOverlays(painter, range);  // the label map, then the heatmap over it
  paintOverlays(painter);             // labels, measurements, the colour bar
  SlideMinimap::paint(painter, state_, thumbnail_);
  paintScaleBar(painter, state_);
}

void SlideViewer::drawTile(QPainter& painter, const TileKey& key) {
  const SlideRect area = state_.tileRect(key.level, key.col, key.row);
  const QRect target = screenRect(area);
  if (const SlideTile* tile = cache_.find(key)) {
    if (tile->failed())
      paintErrorTile(painter, target, tile->error);
    else
      painter.drawImage(target, tile->image);
    return;
  }
  drawFromCoarser(painter, area, key.level);  // still loading: a blurrier picture, not a hole
}

bool SlideViewer::drawFromCoarser(QPainter& painter, const SlideRect& area, int finerThan) {
  for (int level = finerThan + 1; level <= state_.coarsestLevel(); ++level) {
    const double span = state_.levels()[level].downsample * kTileSize;
    const TileRange grid = state_.allTiles(level);
    const int c0 = std::max(0, static_cast<int>(std::floor(area.x0 / span)));
    const int c1 = std::min(grid.colEnd, static_cast<int>(std::ceil(area.x1 / span)));
    const int r0 = std::max(0, static_cast<int>(std::floor(area.y0 / span)));
    const int r1 = std::min(grid.rowEnd, static_cast<int>(std::ceil(area.y1 / span)));
    bool complete = c1 > c0 && r1 > r0;
    for (int r = r0; r < r1 && complete; ++r)
      for (int c = c0; c < c1 && complete; ++c) {
        const SlideTile* tile = cache_.peek({level, c, r});
        complete = tile && !tile->failed();
      }
    if (!complete) continue;
    const double ds = state_.levels()[level].downsample;
    for (int r = r0; r < r1; ++r)
      for (int c = c0; c < c1; ++c) {
        const SlideTile* tile = cache_.find({level, c, r});
        const SlideRect t = state_.tileRect(level, c, r);
        const SlideRect part{std::max(t.x0, area.x0), std::max(t.y0, area.y0), std::min(t.x1, area.x1),
                             std::min(t.y1, area.y1)};
        if (part.x1 <= part.x0 || part.y1 <= part.y0) continue;
        const QRectF source((part.x0 - t.x0) / ds, (part.y0 - t.y0) / ds, (part.x1 - part.x0) / ds,
                            (part.y1 - part.y0) / ds);
        painter.drawImage(QRectF(screenRect(part)), tile->image, source);
      }
    return true;
  }
  return false;
}

void SlideViewer::drawHeatmapTile(QPainter& painter, const TileKey& key) {
  const SlideRect area = state_.tileRect(key.level, key.col, key.row);
  auto it = heatmapTiles_.find(key);
  if (it == heatmapTiles_.end()) {
    if (heatmapTiles_.size() >= overlayTileLimit()) heatmapTiles_.clear();
    const double ds = state_.levels()[key.level].downsample;
    const int w = std::max(1, static_cast<int>(std::lround((area.x1 - area.x0) / ds)));
    const int h = std::max(1, static_cast<int>(std::lround((area.y1 - area.y0) / ds)));
    // HeatmapLayer puts pixel centres on integers: pixel i spans [i - 0.5, i + 0.5).
    const ImageRegion region{area.x0 - 0.5, area.y0 - 0.5, area.x1 - area.x0, area.y1 - area.y0};
    const std::vector<std::uint8_t> rgba = heatmap_.renderRgba(region, w, h, Interpolation::Linear);
    QImage image(w, h, QImage::Format_RGBA8888_Premultiplied);
    for (int y = 0; y < h; ++y)
      std::copy_n(rgba.data() + static_cast<std::size_t>(y) * w * 4, static_cast<std::size_t>(w) * 4,
                  image.scanLine(y));
    it = heatmapTiles_.emplace(key, std::move(image)).first;
  }
  painter.drawImage(screenRect(area), it->second);
}

}  // namespace meridian::viewers
