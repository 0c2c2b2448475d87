// The tile cache: least recently used out first, bytes accounted exactly, the pinned
// (coarsest) level never evicted.

#include <gtest/gtest.h>

#include "meridian/viewers/TileCache.hpp"

using meridian::viewers::SlideTile;
using meridian::viewers::TileCache;
using meridian::viewers::TileKey;

namespace {

SlideTile tileOf(int side) {
  SlideTile t;
  t.image = QImage(side, side, QImage::Format_RGB32);
  t.image.fill(Qt::gray);
  return t;
}

constexpr std::size_t kTileBytes = 256 * 256 * 4;

}  // namespace

TEST(SlideTileCache, EvictsTheLeastRecentlyUsedTileFirst) {
  TileCache cache(3 * kTileBytes);
  cache.insert({0, 0, 0}, tileOf(256));
  cache.insert({0, 1, 0}, tileOf(256));
  cache.insert({0, 2, 0}, tileOf(256));
  EXPECT_EQ(cache.bytes(), 3 * kTileBytes);
  ASSERT_NE(cache.find({0, 0, 0}), nullptr);  // (0,0) is now the most recent; (1,0) the least
  cache.insert({0, 3, 0}, tileOf(256));
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_FALSE(cache.contains({0, 1, 0}));
  EXPECT_TRUE(cache.contains({0, 0, 0}));
  EXPECT_TRUE(cache.contains({0, 2, 0}));
  EXPECT_EQ(cache.evictions(), 1u);
  // peek() does not refresh: (2,0) stays the oldest and goes next.
  ASSERT_NE(cache.peek({0, 2, 0}), nullptr);
  cache.insert({0, 4, 0}, tileOf(256));
  EXPECT_FALSE(cache.contains({0, 2, 0}));
  EXPECT_EQ(cache.bytes(), 3 * kTileBytes);
}

TEST(SlideTileCache, NeverEvictsThePinnedLevel) {
  TileCache cache(2 * kTileBytes);
  cache.setPinnedLevel(4);
  cache.insert({4, 0, 0}, tileOf(256));
  cache.insert({4, 1, 0}, tileOf(256));
  cache.insert({0, 0, 0}, tileOf(256));  // over capacity: only the unpinned tile can go
  EXPECT_TRUE(cache.contains({4, 0, 0}));
  EXPECT_TRUE(cache.contains({4, 1, 0}));
  EXPECT_FALSE(cache.contains({0, 0, 0}));
  EXPECT_EQ(cache.pinnedBytes(), 2 * kTileBytes);
  EXPECT_EQ(cache.bytes(), 2 * kTileBytes);
  cache.setCapacity(kTileBytes / 2);  // even below what is pinned
  EXPECT_EQ(cache.size(), 2u);
}

TEST(SlideTileCache, AccountsBytesOnReplaceAndForFailedTiles) {
  TileCache cache(10 * kTileBytes);
  cache.insert({1, 0, 0}, tileOf(256));
  cache.insert({1, 0, 0}, tileOf(128));  // an edge tile replacing a full one
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.bytes(), std::size_t{128 * 128 * 4});
  SlideTile failed;
  failed.error = QStringLiteral("cannot read");
  EXPECT_TRUE(failed.failed());
  cache.insert({1, 1, 0}, failed);
  EXPECT_EQ(cache.bytes(), std::size_t{128 * 128 * 4} + failed.bytes());
  EXPECT_GT(failed.bytes(), 0u);
  EXPECT_LT(failed.bytes(), 1024u);
  cache.setCapacity(failed.bytes());  // the image goes, the cheaper (more recent) failure stays
  EXPECT_FALSE(cache.contains({1, 0, 0}));
  EXPECT_TRUE(cache.contains({1, 1, 0}));
  EXPECT_EQ(cache.bytes(), failed.bytes());
  cache.clear();
  EXPECT_EQ(cache.bytes(), 0u);
  EXPECT_EQ(cache.find({1, 1, 0}), nullptr);
}
