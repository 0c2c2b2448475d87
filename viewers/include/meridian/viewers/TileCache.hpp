#pragma once
// Decoded slide tiles kept for redrawing, least recently used first out, bounded by bytes.
// The coarsest level is pinned: its tiles are the fallback drawn under everything that is
// still loading and the minimap's picture, so evicting them would bring back blank flashes.
// Used from the UI thread only (the loader hands tiles over through queued calls).

#include <QImage>
#include <QString>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <unordered_map>

namespace meridian::viewers {

struct TileKey {
  int level = 0;
  int col = 0;
  int row = 0;
  bool operator==(const TileKey& o) const { return level == o.level && col == o.col && row == o.row; }
  bool operator!=(const TileKey& o) const { return !(*this == o); }
};

struct TileKeyHash {
  std::size_t operator()(const TileKey& k) const {
    return std::hash<std::uint64_t>()((static_cast<std::uint64_t>(static_cast<std::uint32_t>(k.level)) << 48) ^
                                      (static_cast<std::uint64_t>(static_cast<std::uint32_t>(k.col)) << 24) ^
                                      static_cast<std::uint64_t>(static_cast<std::uint32_t>(k.row)));
  }
};

/// One tile as read: its pixels, or why the read failed (then `image` is null).
struct SlideTile {
  QImage image;
  QString error;
  bool failed() const { return image.isNull(); }
  /// Bytes the tile holds (a failed tile counts a small constant so it is still accounted).
  std::size_t bytes() const;
};

class TileCache {
 public:
  explicit TileCache(std::size_t capacityBytes = std::size_t{512} << 20);

  /// Tiles of this level are never evicted (-1: none pinned). Call before inserting.
  void setPinnedLevel(int level) { pinnedLevel_ = level; }
  int pinnedLevel() const { return pinnedLevel_; }

  /// Shrinking evicts at once.
  void setCapacity(std::size_t bytes);
  std::size_t capacity() const { return capacity_; }

  /// Stores (or replaces) a tile as the most recently used, then evicts least recently
  /// used unpinned tiles until the total fits the capacity (pinned bytes count too; if
  /// they alone exceed it, every unpinned tile goes).
  void insert(const TileKey& key, SlideTile tile);
  /// The tile, marked most recently used; nullptr when absent.
  const SlideTile* find(const TileKey& key);
  /// The tile without changing the order (for tests and read-only checks).
  const SlideTile* peek(const TileKey& key) const;
  bool contains(const TileKey& key) const { return index_.count(key) != 0; }

  void clear();
  std::size_t size() const { return index_.size(); }
  /// Total bytes of every tile held, pinned ones included.
  std::size_t bytes() const { return bytes_; }
  std::size_t pinnedBytes() const { return pinnedBytes_; }
  /// Tiles evicted since construction (for tests and the benchmark).
  std::size_t evictions() const { return evictions_; }

 private:
  struct Entry {
    TileKey key;
    SlideTile tile;
  };
  using List = std::list<Entry>;
  void evict();
  bool pinned(const TileKey& key) const { return key.level == pinnedLevel_; }

  std::size_t capacity_;
  int pinnedLevel_ = -1;
  List lru_;  // front = most recently used; pinned tiles live here too but are skipped
  std::unordered_map<TileKey, List::iterator, TileKeyHash> index_;
  std::size_t bytes_ = 0;
  std::size_t pinnedBytes_ = 0;
  std::size_t evictions_ = 0;
};

}  // namespace meridian::viewers
