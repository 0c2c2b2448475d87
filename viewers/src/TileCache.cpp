#include "meridian/viewers/TileCache.hpp"

namespace meridian::viewers {

std::size_t SlideTile::bytes() const {
  constexpr std::size_t kFailedTileBytes = 256;  // the message and bookkeeping
  return failed() ? kFailedTileBytes + static_cast<std::size_t>(error.size()) * sizeof(QChar)
                  : static_cast<std::size_t>(image.sizeInBytes());
}

TileCache::TileCache(std::size_t capacityBytes) : capacity_(capacityBytes) {}

void TileCache::setCapacity(std::size_t bytes) {
  capacity_ = bytes;
  evict();
}

void TileCache::insert(const TileKey& key, SlideTile tile) {
  if (auto it = index_.find(key); it != index_.end()) {
    const std::size_t old = it->second->tile.bytes();
    bytes_ -= old;
    if (pinned(key)) pinnedBytes_ -= old;
    lru_.erase(it->second);
    index_.erase(it);
  }
  const std::size_t added = tile.bytes();
  lru_.push_front(Entry{key, std::move(tile)});
  index_[key] = lru_.begin();
  bytes_ += added;
  if (pinned(key)) pinnedBytes_ += added;
  evict();
}

const SlideTile* TileCache::find(const TileKey& key) {
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);  // iterators stay valid
  return &it->second->tile;
}

const SlideTile* TileCache::peek(const TileKey& key) const {
  auto it = index_.find(key);
  return it == index_.end() ? nullptr : &it->second->tile;
}

void TileCache::clear() {
  lru_.clear();
  index_.clear();
  bytes_ = pinnedBytes_ = 0;
}

void TileCache::evict() {
  // Walk from the least recently used end, skipping pinned tiles.
  auto it = lru_.end();
  while (bytes_ > capacity_ && it != lru_.begin()) {
    --it;
    if (pinned(it->key)) continue;
    bytes_ -= it->tile.bytes();
    index_.erase(it->key);
    it = lru_.erase(it);
    ++evictions_;
  }
}

}  // namespace meridian::viewers
