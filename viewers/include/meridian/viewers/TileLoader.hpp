#pragma once
// Reads slide tiles on worker threads (never the UI thread) and hands each one back on the
// thread that owns the loader through tileLoaded(). request() replaces the queue, so tiles
// the view no longer needs are dropped before they are read; tiles already being read
// finish and are delivered (they are still worth caching). A read that fails yields a tile
// with the error instead of pixels.

#include <QObject>
#include <QThreadPool>

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <unordered_set>
#include <vector>

#include "meridian/core/SlideSource.hpp"
#include "meridian/viewers/TileCache.hpp"

namespace meridian::viewers {

class TileLoader : public QObject {
  Q_OBJECT
 public:
  /// threads <= 0: the machine's core count, between 2 and 8.
  explicit TileLoader(QObject* parent = nullptr, int threads = 0);
  ~TileLoader() override;

  /// Switches to another slide (nullptr: none): the queue is dropped and tiles of the old
  /// slide still being read are discarded when they arrive.
  void setSlide(std::shared_ptr<const core::SlideSource> slide, int tileSize = 256);

  /// The tiles wanted now, most urgent first. Replaces whatever is still queued (those
  /// tiles count as dropped); tiles being read are not queued twice.
  void request(const std::vector<TileKey>& keys);

  /// Tiles queued, being read, or read and not yet delivered through tileLoaded().
  int pending() const;
  std::size_t readsStarted() const { return readsStarted_; }
  std::size_t dropped() const { return dropped_; }
  int threadCount() const { return pool_.maxThreadCount(); }
  /// Reads on up to `threads` threads from now on (<= 0: the default of the constructor);
  /// reads in progress finish.
  void setThreadCount(int threads);

  /// Reads tile (col, row) of `level` on a grid of tileSize x tileSize level pixels
  /// (edge tiles are smaller). Thread-safe as SlideSource::readRegion is.
  static SlideTile readTile(const core::SlideSource& slide, const TileKey& key, int tileSize);

 Q_SIGNALS:
  void tileLoaded(meridian::viewers::TileKey key, const meridian::viewers::SlideTile& tile);

 private:
  void startWorkers();
  void work();

  QThreadPool pool_;
  mutable std::mutex mutex_;
  std::shared_ptr<const core::SlideSource> slide_;  // guarded by mutex_
  int tileSize_ = 256;
  std::deque<TileKey> queue_;                          // guarded by mutex_
  std::unordered_set<TileKey, TileKeyHash> inFlight_;  // guarded by mutex_
  int activeWorkers_ = 0;                              // guarded by mutex_
  bool stopping_ = false;                              // guarded by mutex_
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<std::size_t> readsStarted_{0};
  std::size_t dropped_ = 0;  // UI thread only
};

}  // namespace meridian::viewers
