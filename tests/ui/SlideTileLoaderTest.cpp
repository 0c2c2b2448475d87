// The tile loader on the real demo slide: tiles equal direct reads, reads happen on worker
// threads and results arrive on the UI thread, stale requests are dropped, and failing
// reads come back as error tiles.

#include <gtest/gtest.h>

#include <QApplication>
#include <QThread>

#include <cstring>
#include <map>

#include "SlideTestSupport.hpp"
#include "meridian/viewers/TileLoader.hpp"

using namespace meridian;
using viewers::SlideTile;
using viewers::TileKey;
using viewers::TileLoader;

namespace {

struct Received {
  std::map<std::tuple<int, int, int>, SlideTile> tiles;
  std::set<QThread*> threads;
};

void collect(TileLoader& loader, Received& received) {
  QObject::connect(&loader, &TileLoader::tileLoaded, [&received](TileKey key, const SlideTile& tile) {
    received.tiles[{key.level, key.col, key.row}] = tile;
    received.threads.insert(QThread::currentThread());
  });
}

// Max absolute difference between a tile and the same region read straight from the slide.
int maxDifference(const core::SlideSource& slide, const TileKey& key, const QImage& tile) {
  const auto& level = slide.levels()[key.level];
  auto direct =
      slide.readRegion(key.level, static_cast<std::int64_t>(key.col * 256 * level.downsample),
                       static_cast<std::int64_t>(key.row * 256 * level.downsample), tile.width(), tile.height());
  if (!direct) return 1000;
  int worst = 0;
  for (int y = 0; y < tile.height(); ++y)
    for (int x = 0; x < tile.width(); ++x) {
      const QRgb c = tile.pixel(x, y);
      const int rgb[3] = {qRed(c), qGreen(c), qBlue(c)};
      for (int ch = 0; ch < 3; ++ch)
        worst = std::max(worst, std::abs(rgb[ch] - static_cast<int>(direct.value().valueAt(x, y, ch))));
    }
  return worst;
}

}  // namespace

TEST(SlideTileLoader, ReadsRealTilesOnWorkerThreadsAndDeliversThemOnTheUiThread) {
  auto real = test::openDemoSlide();
  ASSERT_TRUE(real);
  auto slide = std::make_shared<test::InstrumentedSlide>(real);
  TileLoader loader(nullptr, 2);
  Received received;
  collect(loader, received);
  loader.setSlide(slide);
  std::vector<TileKey> keys;
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) keys.push_back({2, c, r});  // level 2 (1024²): 16 tiles
  keys.push_back({4, 0, 0});
  loader.request(keys);
  ASSERT_TRUE(test::waitUntil([&] { return received.tiles.size() == keys.size(); }));
  EXPECT_EQ(loader.pending(), 0);
  EXPECT_EQ(received.threads, std::set<QThread*>{QApplication::instance()->thread()});
  for (QThread* t : slide->readThreads()) EXPECT_NE(t, QApplication::instance()->thread()) << "read on the UI thread";
  for (const auto& key : keys) {
    const SlideTile& tile = received.tiles.at({key.level, key.col, key.row});
    ASSERT_FALSE(tile.failed()) << tile.error.toStdString();
    EXPECT_EQ(tile.image.size(), QSize(256, 256));
    EXPECT_EQ(maxDifference(*real, key, tile.image), 0) << key.col << "," << key.row;
  }
  // The tiles are the slide, not a uniform fill: tissue and glass differ.
  const QImage& t = received.tiles.at({4, 0, 0}).image;
  int lo = 255, hi = 0;
  for (int y = 0; y < t.height(); y += 4)
    for (int x = 0; x < t.width(); x += 4) {
      lo = std::min(lo, qGray(t.pixel(x, y)));
      hi = std::max(hi, qGray(t.pixel(x, y)));
    }
  EXPECT_GT(hi - lo, 60);
}

TEST(SlideTileLoader, DropsRequestsTheViewNoLongerNeeds) {
  auto slide = std::make_shared<test::InstrumentedSlide>(test::openDemoSlide());
  slide->delayMs = 30;  // slow storage, so the queue is still full when the view moves
  TileLoader loader(nullptr, 1);
  Received received;
  collect(loader, received);
  loader.setSlide(slide);
  std::vector<TileKey> first;
  for (int c = 0; c < 16; ++c)
    for (int r = 0; r < 2; ++r) first.push_back({0, c, r});
  loader.request(first);
  loader.request({{1, 5, 5}, {1, 6, 5}});  // the view moved on
  ASSERT_TRUE(test::waitUntil([&] { return loader.pending() == 0 && received.tiles.count({1, 6, 5}); }));
  test::waitUntil([] { return false; }, 100);  // let any last delivery arrive
  EXPECT_GE(loader.dropped(), 30u);
  EXPECT_LE(received.tiles.size(), 2u + 1u) << "at most the one tile already being read, plus the two wanted";
  EXPECT_TRUE(received.tiles.count({1, 5, 5}));
  EXPECT_LE(slide->reads(), 3);
}

TEST(SlideTileLoader, AFailingReadBecomesAnErrorTileAndOthersStillLoad) {
  auto slide = std::make_shared<test::InstrumentedSlide>(test::openDemoSlide());
  slide->failFromX = 2048;  // the right half of the slide cannot be read
  TileLoader loader;
  Received received;
  collect(loader, received);
  loader.setSlide(slide);
  loader.request({{2, 0, 0}, {2, 3, 0}, {2, 1, 1}, {2, 2, 1}});
  ASSERT_TRUE(test::waitUntil([&] { return received.tiles.size() == 4; }));
  EXPECT_FALSE(received.tiles.at({2, 0, 0}).failed());
  EXPECT_FALSE(received.tiles.at({2, 1, 1}).failed());
  for (auto key : {std::make_tuple(2, 3, 0), std::make_tuple(2, 2, 1)}) {
    const SlideTile& tile = received.tiles.at(key);
    EXPECT_TRUE(tile.failed());
    EXPECT_TRUE(tile.error.contains(QStringLiteral("cannot read the slide file"))) << tile.error.toStdString();
  }
  // Asking outside the pyramid is an error tile too, not a crash.
  EXPECT_TRUE(TileLoader::readTile(*slide, {9, 0, 0}, 256).failed());
  EXPECT_TRUE(TileLoader::readTile(*slide, {4, 1, 0}, 256).failed());
}

TEST(SlideTileLoader, TilesOfAPreviousSlideAreDiscarded) {
  auto slide = std::make_shared<test::InstrumentedSlide>(test::openDemoSlide());
  slide->delayMs = 50;
  TileLoader loader(nullptr, 2);
  Received received;
  collect(loader, received);
  loader.setSlide(slide);
  loader.request({{3, 0, 0}, {3, 1, 0}});
  ASSERT_TRUE(test::waitUntil([&] { return slide->reads() == 2; }));  // both reads are under way
  loader.setSlide(test::openDemoSlide());
  loader.request({{4, 0, 0}});
  ASSERT_TRUE(test::waitUntil([&] { return received.tiles.count({4, 0, 0}) && loader.pending() == 0; }));
  // Once the old slide's reads have returned, their results (if delivered) are queued
  // events: wait for the reads, not for a guessed time, then let the events through.
  ASSERT_TRUE(test::waitUntil([&] { return slide->finishedReads() == 2; }));
  test::waitUntil([] { return false; }, 100);
  EXPECT_EQ(received.tiles.size(), 1u) << "a tile of the old slide was delivered";
}
