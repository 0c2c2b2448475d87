// Failed slide tiles are read again after a back-off (the policy's own waits and limits:
// tests/viewers/TileRetryPolicyTest.cpp). Here the viewer on the demo slide, behind a source
// whose reads of one tile fail a few times (a network drive's hiccup: the tile heals and is drawn) or always
// (a broken region: an error tile, read no more often than the policy allows).

#include <gtest/gtest.h>

#include <QApplication>
#include <QImage>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <tuple>

#include "Pearson.hpp"
#include "SlideTestSupport.hpp"
#include "meridian/viewers/SlideViewer.hpp"
#include "meridian/viewers/TileRetryPolicy.hpp"

namespace fs = std::filesystem;
using namespace meridian;
using namespace std::chrono_literals;
using viewers::SlideViewer;
using viewers::TileKey;
using viewers::TileRetryPolicy;

namespace {

const fs::path kOut = MERIDIAN_TEST_OUTPUT;

/// The real slide, except that the first `failures` reads of one region fail like a
/// dropped network share would. Counts the reads of that region.
class FlakySlide : public test::ForwardingSlide {
 public:
  FlakySlide(std::shared_ptr<const core::SlideSource> real, int level, std::int64_t x, std::int64_t y, int failures)
      : ForwardingSlide(std::move(real)), level_(level), x_(x), y_(y), failuresLeft_(failures) {}

  core::Result<core::Image2D> readRegion(int level, std::int64_t x, std::int64_t y, int width,
                                         int height) const override {
    if (level == level_ && x == x_ && y == y_) {
      std::lock_guard lock(mutex_);
      ++targetReads_;
      if (failuresLeft_ > 0) {
        --failuresLeft_;
        return core::makeError(core::ErrorCode::Io, "cannot read the slide file (test: the share dropped out)");
      }
    }
    return real_->readRegion(level, x, y, width, height);
  }

  int targetReads() const {
    std::lock_guard lock(mutex_);
    return targetReads_;
  }

 private:
  int level_;
  std::int64_t x_, y_;
  mutable std::mutex mutex_;
  mutable int failuresLeft_;
  mutable int targetReads_ = 0;
};

// The level-0 tile under the view's centre at zoom 1, and its read origin.
constexpr double kCentreX = 1400, kCentreY = 2300;
const TileKey kTile{0, static_cast<int>(kCentreX) / 256, static_cast<int>(kCentreY) / 256};

void showViewer(SlideViewer& viewer) {
  viewer.resize(1600, 1000);
  viewer.show();
  ASSERT_TRUE(test::waitUntil([&] { return viewer.isVisible() && viewer.width() == 1600; }, 10000));
}

std::shared_ptr<FlakySlide> flaky(int failures) {
  auto real = test::openDemoSlide();
  if (!real) return nullptr;
  return std::make_shared<FlakySlide>(real, kTile.level, kTile.col * 256, kTile.row * 256, failures);
}

// Share of the tile's central 80 x 80 screen pixels that are the error tile's red hatching.
double errorShare(SlideViewer& viewer) {
  const QImage shot = viewer.grab().toImage().convertToFormat(QImage::Format_RGB32);
  const auto p = viewer.state().slideToView(kTile.col * 256 + 128, kTile.row * 256 + 128);
  int red = 0, n = 0;
  for (int y = static_cast<int>(p[1]) - 40; y < static_cast<int>(p[1]) + 40; y += 2)
    for (int x = static_cast<int>(p[0]) - 40; x < static_cast<int>(p[0]) + 40; x += 2, ++n) {
      const QRgb c = shot.pixel(x, y);
      red += qRed(c) > 200 && qRed(c) - qGreen(c) >= 15 && std::abs(qGreen(c) - qBlue(c)) < 12;
    }
  return static_cast<double>(red) / n;
}

// Screen against a direct read of the tile: is the tile's picture what is drawn?
double tileCorrelation(SlideViewer& viewer) {
  const QImage shot = viewer.grab().toImage().convertToFormat(QImage::Format_RGB32);
  auto direct = test::openDemoSlide()->readRegion(0, kTile.col * 256, kTile.row * 256, 256, 256);
  if (!direct) return 0;
  std::vector<double> a, b;
  for (int ly = 4; ly < 252; ly += 3)
    for (int lx = 4; lx < 252; lx += 3) {
      const auto v = viewer.state().slideToView(kTile.col * 256 + lx + 0.5, kTile.row * 256 + ly + 0.5);
      a.push_back(qGray(shot.pixel(static_cast<int>(v[0]), static_cast<int>(v[1]))));
      const auto& img = direct.value();
      b.push_back(0.299 * img.valueAt(lx, ly, 0) + 0.587 * img.valueAt(lx, ly, 1) + 0.114 * img.valueAt(lx, ly, 2));
    }
  return testsupport::pearson(a, b);
}

// Small moves that keep the tile in view: each one asks the loader for tiles again, which
// is where a retry that came too early would show up.
void jiggle(SlideViewer& viewer, int ms) {
  QElapsedTimer timer;
  timer.start();
  int k = 0;
  while (timer.elapsed() < ms) {
    viewer.panBy(QPointF((k++ % 2) ? 3 : -3, 0));
    test::waitUntil([] { return false; }, 50);
  }
}

}  // namespace

TEST(SlideRetry, ATileThatFailsTwiceIsReadAgainAfterTheBackOffAndDrawn) {
  SlideViewer viewer;
  viewer.setRetrySettings({1000ms, 4});  // shorter waits: this is about what happens, not when
  showViewer(viewer);
  auto slide = flaky(2);
  ASSERT_TRUE(slide);
  QStringList messages;
  QObject::connect(&viewer, &SlideViewer::statusMessage, [&](const QString& m) { messages << m; });
  viewer.setSlide(slide);
  viewer.setView(1.0, kCentreX, kCentreY);
  // First the error tile and a message...
  ASSERT_TRUE(test::waitUntil([&] {
    const auto* t = viewer.cache().peek(kTile);
    return t && t->failed();
  }));
  ASSERT_TRUE(viewer.waitForFieldOfView());
  EXPECT_GT(errorShare(viewer), 0.9);
  EXPECT_EQ(viewer.failedTiles(), 1);
  ASSERT_FALSE(messages.isEmpty());
  EXPECT_TRUE(messages.last().contains(QStringLiteral("the share dropped out"))) << messages.last().toStdString();
  EXPECT_TRUE(messages.last().contains(QStringLiteral("retrying in 1 s"))) << messages.last().toStdString();
  // ...then, without touching the view, the tile heals: read three times, drawn as the slide.
  ASSERT_TRUE(test::waitUntil(
      [&] {
        const auto* t = viewer.cache().peek(kTile);
        return t && !t->failed();
      },
      10000));
  QApplication::processEvents();
  EXPECT_EQ(slide->targetReads(), 3);
  EXPECT_EQ(viewer.failedTiles(), 0);
  EXPECT_LT(errorShare(viewer), 0.01);
  EXPECT_GT(tileCorrelation(viewer), 0.97);
  EXPECT_TRUE(messages.last().contains(QStringLiteral("read on a retry"))) << messages.last().toStdString();
  const QImage shot = viewer.grab().toImage();
  fs::create_directories(kOut);
  ASSERT_TRUE(shot.save(QString::fromStdString((kOut / "slide-retry-healed.png").string())));
}

TEST(SlideRetry, TheDefaultBackOffWaitsTwoSecondsEvenWhileTheViewMoves) {
  SlideViewer viewer;
  showViewer(viewer);
  auto slide = flaky(1);
  ASSERT_TRUE(slide);
  viewer.setSlide(slide);
  viewer.setView(1.0, kCentreX, kCentreY);
  ASSERT_TRUE(test::waitUntil([&] { return viewer.retryPolicy().failedReads(kTile) == 1; }));
  // The policy's own record says when the retry is due (2 s after the failure it noted):
  // jiggle until shortly before then, however slowly this machine runs, and no read may come.
  const auto retryAt = viewer.retryPolicy().nextRetry(viewers::TileRetryPolicy::Clock::now());
  ASSERT_TRUE(retryAt.has_value());
  EXPECT_EQ(viewer.retryPolicy().delayAfter(1), 2000ms);  // the default people get
  while (viewers::TileRetryPolicy::Clock::now() < *retryAt - 200ms) jiggle(viewer, 100);
  EXPECT_EQ(slide->targetReads(), 1);
  EXPECT_TRUE(viewer.cache().peek(kTile) && viewer.cache().peek(kTile)->failed());
  ASSERT_TRUE(test::waitUntil(
      [&] {
        const auto* t = viewer.cache().peek(kTile);
        return t && !t->failed();
      },
      5000));
  EXPECT_EQ(slide->targetReads(), 2);
}

TEST(SlideRetry, ATileThatAlwaysFailsStaysAnErrorTileAndIsReadAtMostMaxReadsTimes) {
  SlideViewer viewer;
  viewer.setRetrySettings({200ms, 3});
  showViewer(viewer);
  auto slide = flaky(1000000);
  ASSERT_TRUE(slide);
  QStringList messages;
  QObject::connect(&viewer, &SlideViewer::statusMessage, [&](const QString& m) { messages << m; });
  viewer.setSlide(slide);
  viewer.setView(1.0, kCentreX, kCentreY);
  ASSERT_TRUE(test::waitUntil([&] { return viewer.retryPolicy().gaveUp(kTile); }, 10000));
  EXPECT_EQ(slide->targetReads(), 3);
  EXPECT_TRUE(messages.last().contains(QStringLiteral("given up after 3 reads"))) << messages.last().toStdString();
  // Well past every wait, with the view moving about and the tile in and out of view: no more reads.
  jiggle(viewer, 800);
  viewer.setView(1.0, 3500, 600);
  ASSERT_TRUE(viewer.waitForFieldOfView());
  viewer.setView(1.0, kCentreX, kCentreY);
  ASSERT_TRUE(viewer.waitForFieldOfView());
  jiggle(viewer, 400);
  EXPECT_EQ(slide->targetReads(), 3);
  EXPECT_EQ(viewer.failedTiles(), 1);
  EXPECT_GT(errorShare(viewer), 0.9) << "still the error tile";
  // The rest of the view is the slide, and the viewer keeps working.
  EXPECT_TRUE(viewer.isFieldOfViewComplete());
  // Opening the slide again gives the tile a fresh start.
  viewer.setSlide(slide);
  viewer.setView(1.0, kCentreX, kCentreY);
  ASSERT_TRUE(test::waitUntil([&] { return slide->targetReads() == 4; }));
}
