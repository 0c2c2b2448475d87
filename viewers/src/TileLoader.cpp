#include "meridian/viewers/TileLoader.hpp"

#include <QThread>

#include <algorithm>
#include <cmath>

namespace meridian::viewers {

TileLoader::TileLoader(QObject* parent, int threads) : QObject(parent) { setThreadCount(threads); }

void TileLoader::setThreadCount(int threads) {
  pool_.setMaxThreadCount(threads > 0 ? threads : std::clamp(QThread::idealThreadCount(), 2, 8));
  startWorkers();  // more threads may take queued tiles now
}

TileLoader::~TileLoader() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  pool_.waitForDone();  // reads in progress finish; their queued deliveries die with this object
}

void TileLoader::setSlide(std::shared_ptr<const core::SlideSource> slide, int tileSize) {
  std::lock_guard lock(mutex_);
  ++generation_;
  dropped_ += queue_.size();
  queue_.clear();
  inFlight_.clear();  // reads of the old slide still running are discarded on delivery
  slide_ = std::move(slide);
  tileSize_ = std::max(16, tileSize);
}

void TileLoader::request(const std::vector<TileKey>& keys) {
  {
    std::lock_guard lock(mutex_);
    if (!slide_) return;
    std::unordered_set<TileKey, TileKeyHash> queued;
    std::deque<TileKey> next;
    for (const auto& key : keys)
      if (!inFlight_.count(key) && queued.insert(key).second) next.push_back(key);
    // Stale: queued for the old view, not wanted by the new one, never read.
    for (const auto& key : queue_) dropped_ += queued.count(key) ? 0 : 1;
    queue_ = std::move(next);
  }
  startWorkers();
}

int TileLoader::pending() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(queue_.size() + inFlight_.size());
}

void TileLoader::startWorkers() {
  std::lock_guard lock(mutex_);
  const int wanted = std::min(pool_.maxThreadCount(), static_cast<int>(queue_.size()));
  while (activeWorkers_ < wanted) {
    ++activeWorkers_;
    pool_.start([this] { work(); });
  }
}

void TileLoader::work() {
  for (;;) {
    TileKey key;
    std::shared_ptr<const core::SlideSource> slide;
    int tileSize = 0;
    std::uint64_t generation = 0;
    {
      std::lock_guard lock(mutex_);
      // Fewer threads wanted (setThreadCount): the extra workers end after their tile.
      if (stopping_ || queue_.empty() || !slide_ || activeWorkers_ > pool_.maxThreadCount()) {
        --activeWorkers_;
        return;
      }
      key = queue_.front();
      queue_.pop_front();
      inFlight_.insert(key);
      slide = slide_;
      tileSize = tileSize_;
      generation = generation_;
    }
    ++readsStarted_;
    SlideTile tile = readTile(*slide, key, tileSize);
    // Deliver on the loader's thread; the event dies with the loader if it is gone by then.
    // The tile stays in flight until it is delivered: a request() made between the read's
    // end and the delivery must not read it a second time (a failed tile's retries are
    // counted, see TileRetryPolicy).
    QMetaObject::invokeMethod(
        this,
        [this, key, generation, tile = std::move(tile)] {
          if (generation != generation_) return;  // an old slide's tile: setSlide() forgot it
          {
            std::lock_guard lock(mutex_);
            inFlight_.erase(key);
          }
          Q_EMIT tileLoaded(key, tile);
        },
        Qt::QueuedConnection);
  }
}

SlideTile TileLoader::readTile(const core::SlideSource& slide, const TileKey& key, int tileSize) {
  SlideTile tile;
  const auto& levels = slide.levels();
  if (key.level < 0 || key.level >= static_cast<int>(levels.size())) {
    tile.error = QStringLiteral("no level %1 in this slide").arg(key.level);
    return tile;
  }
  const auto& level = levels[static_cast<std::size_t>(key.level)];
  const std::int64_t lx = static_cast<std::int64_t>(key.col) * tileSize;
  const std::int64_t ly = static_cast<std::int64_t>(key.row) * tileSize;
  const int width = static_cast<int>(std::min<std::int64_t>(tileSize, level.width - lx));
  const int height = static_cast<int>(std::min<std::int64_t>(tileSize, level.height - ly));
  if (key.col < 0 || key.row < 0 || width <= 0 || height <= 0) {
    tile.error = QStringLiteral("tile (%1, %2) is outside level %3").arg(key.col).arg(key.row).arg(key.level);
    return tile;
  }
  const auto x0 = static_cast<std::int64_t>(std::llround(static_cast<double>(lx) * level.downsample));
  const auto y0 = static_cast<std::int64_t>(std::llround(static_cast<double>(ly) * level.downsample));
  auto region = slide.readRegion(key.level, x0, y0, width, height);
  if (!region) {
    tile.error = QString::fromStdString(region.error().message);
    return tile;
  }
  const core::Image2D& image = region.value();
  if (image.channels() != 3 || image.pixelType() != core::PixelType::UInt8 || image.width() != width ||
      image.height() != height) {
    tile.error = QStringLiteral("the slide returned a %1x%2x%3 region for a %4x%5 RGB tile")
                     .arg(image.width())
                     .arg(image.height())
                     .arg(image.channels())
                     .arg(width)
                     .arg(height);
    return tile;
  }
  // RGB32 is what QPainter's raster engine draws without converting on every paint.
  const QImage view(image.data(), width, height, static_cast<qsizetype>(image.rowBytes()), QImage::Format_RGB888);
  tile.image = view.convertToFormat(QImage::Format_RGB32);
  return tile;
}

}  // namespace meridian::viewers
