// The slide viewer in a real window under Xvfb with the demo slide: what is painted is the
// slide (correlated with direct reads of the same region), zoom reaches level 0, coarser
// tiles stand in while finer ones load, the heatmap's colour lands on the map's maximum,
// and failing reads show error tiles while the viewer keeps working.

#include <gtest/gtest.h>

#include <QApplication>
#include <QImage>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QSettings>
#include <QWheelEvent>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <numeric>

#include "Pearson.hpp"
#include "SlideTestSupport.hpp"
#include "meridian/core/HeatmapOverlay.hpp"
#include "meridian/viewers/SlideViewer.hpp"

namespace fs = std::filesystem;
using namespace meridian;
using testsupport::pearson;
using viewers::SlideViewer;

namespace {

const fs::path kOut = MERIDIAN_TEST_OUTPUT;

void showViewer(SlideViewer& viewer) {
  viewer.resize(1600, 1000);
  viewer.show();
  ASSERT_TRUE(test::waitUntil([&] { return viewer.isVisible() && viewer.width() == 1600; }, 10000));
}

bool waitForTiles(SlideViewer& viewer) {
  // The view's tiles, then the prefetch too (so later assertions see a settled viewer).
  return viewer.waitForFieldOfView() && test::waitUntil([&] { return viewer.loader().pending() == 0; });
}

QImage shoot(SlideViewer& viewer, const std::string& name) {
  QImage shot = viewer.grab().toImage().convertToFormat(QImage::Format_RGB32);
  fs::create_directories(kOut);
  const fs::path file = kOut / name;
  EXPECT_TRUE(shot.save(QString::fromStdString(file.string()), "PNG")) << file;
  std::cout << "screenshot: " << file.string() << "\n";
  return shot;
}

// Correlation between the screen and a direct read of the visible region at `level`,
// sampled on a grid, away from the minimap (top right) and the scale bar (bottom left).
// With `xMax`, only slide points left of it count.
double screenSlideCorrelation(const QImage& shot, const SlideViewer& viewer, int level,
                              double xMax = std::numeric_limits<double>::max()) {
  const auto& state = viewer.state();
  const core::SlideSource& slide = *viewer.slide();
  const double ds = slide.levels()[level].downsample;
  const auto r = state.visibleRect();
  const std::int64_t x0 = static_cast<std::int64_t>(r.x0), y0 = static_cast<std::int64_t>(r.y0);
  const int w = static_cast<int>((r.x1 - x0) / ds), h = static_cast<int>((r.y1 - y0) / ds);
  auto region = slide.readRegion(level, x0, y0, w, h);
  if (!region) return 0;
  std::vector<double> a, b;
  for (int vy = 5; vy < shot.height() - 5; vy += 7)
    for (int vx = 5; vx < shot.width() - 5; vx += 7) {
      if ((vx > shot.width() - 240 && vy < 240) || (vx < 500 && vy > shot.height() - 90)) continue;
      const auto p = state.viewToSlide(vx + 0.5, vy + 0.5);
      if (p[0] >= xMax) continue;
      const int lx = static_cast<int>((p[0] - x0) / ds), ly = static_cast<int>((p[1] - y0) / ds);
      if (lx < 1 || ly < 1 || lx >= w - 1 || ly >= h - 1) continue;
      a.push_back(qGray(shot.pixel(vx, vy)));
      const auto& img = region.value();
      b.push_back(0.299 * img.valueAt(lx, ly, 0) + 0.587 * img.valueAt(lx, ly, 1) + 0.114 * img.valueAt(lx, ly, 2));
    }
  return a.size() > 500 ? pearson(a, b) : 0.0;
}

// Share of pixels in `area` that are the viewer's empty background.
double backgroundShare(const QImage& shot, const QRect& area) {
  int n = 0, bg = 0;
  for (int y = area.top(); y <= area.bottom(); y += 3)
    for (int x = area.left(); x <= area.right(); x += 3, ++n) bg += shot.pixel(x, y) == qRgb(236, 236, 236);
  return n ? static_cast<double>(bg) / n : 1.0;
}

}  // namespace

TEST(SlideViewer, DrawsTheSlideFromTheFittingLevelAndZoomsToLevelZero) {
  SlideViewer viewer;
  showViewer(viewer);
  viewer.setSlide(test::openDemoSlide());
  ASSERT_TRUE(waitForTiles(viewer));
  EXPECT_EQ(viewer.state().fittingLevel(), 2) << "1000/4096 zoom: 1/zoom = 4.1, level ÷4";
  const QImage overview = shoot(viewer, "slide-overview.png");
  EXPECT_GT(screenSlideCorrelation(overview, viewer, 2), 0.95);
  // The whole coarsest level is cached and pinned (the fallback and the minimap).
  EXPECT_TRUE(viewer.cache().contains({4, 0, 0}));
  EXPECT_EQ(viewer.cache().pinnedLevel(), 4);

  viewer.setView(1.0, 1400, 2300);
  ASSERT_TRUE(waitForTiles(viewer));
  EXPECT_EQ(viewer.state().fittingLevel(), 0);
  const QImage level0 = shoot(viewer, "slide-level0.png");
  EXPECT_GT(screenSlideCorrelation(level0, viewer, 0), 0.97);
  // Prefetch: a ring around the view and the coarser level came with it (or are coming).
  const auto ring = viewer.state().visibleTiles(0, 1);
  EXPECT_TRUE(test::waitUntil([&] { return viewer.cache().contains({0, ring.colBegin, ring.rowBegin}); }, 10000));
}

TEST(SlideViewer, CoarserTilesStandInWhileFinerOnesLoad) {
  SlideViewer viewer;
  showViewer(viewer);
  auto slide = std::make_shared<test::InstrumentedSlide>(test::openDemoSlide());
  viewer.setSlide(slide);
  ASSERT_TRUE(waitForTiles(viewer));
  slide->delayMs = 200;  // the next tiles take a while
  viewer.setView(1.0, 3000, 900);
  EXPECT_FALSE(viewer.isFieldOfViewComplete());
  const QImage loading = shoot(viewer, "slide-loading-fallback.png");
  // Not a blank flash: the view is painted (from level 1-4 tiles) and already looks like
  // the slide at this place, only blurrier.
  EXPECT_LT(backgroundShare(loading, QRect(0, 0, 1300, 900)), 0.02);
  EXPECT_GT(screenSlideCorrelation(loading, viewer, 0), 0.8);
  slide->delayMs = 0;
  ASSERT_TRUE(waitForTiles(viewer));
}

TEST(SlideViewer, MouseWheelKeysAndMinimapMoveTheView) {
  SlideViewer viewer;
  showViewer(viewer);
  viewer.setSlide(test::openDemoSlide());
  ASSERT_TRUE(waitForTiles(viewer));
  const QPointF at(500, 400);
  const auto under = viewer.state().viewToSlide(at.x(), at.y());
  const double zoom = viewer.state().zoom();
  QWheelEvent wheel(at, viewer.mapToGlobal(at), QPoint(), QPoint(0, 240), Qt::NoButton, Qt::NoModifier,
                    Qt::NoScrollPhase, false);
  QApplication::sendEvent(&viewer, &wheel);
  EXPECT_NEAR(viewer.state().zoom(), zoom * 1.44, 1e-9);
  const auto still = viewer.state().viewToSlide(at.x(), at.y());
  EXPECT_NEAR(still[0], under[0], 1e-6);
  EXPECT_NEAR(still[1], under[1], 1e-6);
  // Drag: the slide follows the pointer.
  const auto before = viewer.state().slideToView(2000, 2000);
  QMouseEvent press(QEvent::MouseButtonPress, at, viewer.mapToGlobal(at), Qt::LeftButton, Qt::LeftButton,
                    Qt::NoModifier);
  QApplication::sendEvent(&viewer, &press);
  const QPointF to = at + QPointF(-120, 45);
  QMouseEvent move(QEvent::MouseMove, to, viewer.mapToGlobal(to), Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(&viewer, &move);
  QMouseEvent release(QEvent::MouseButtonRelease, to, viewer.mapToGlobal(to), Qt::LeftButton, Qt::NoButton,
                      Qt::NoModifier);
  QApplication::sendEvent(&viewer, &release);
  const auto after = viewer.state().slideToView(2000, 2000);
  EXPECT_NEAR(after[0] - before[0], -120, 1e-6);
  EXPECT_NEAR(after[1] - before[1], 45, 1e-6);
  // Trackpad two-finger scroll (pixel deltas) pans instead of zooming.
  const double zoomBefore = viewer.state().zoom();
  const auto p0 = viewer.state().slideToView(2000, 2000);
  QWheelEvent scroll(at, viewer.mapToGlobal(at), QPoint(30, -20), QPoint(30, -20), Qt::NoButton, Qt::NoModifier,
                     Qt::ScrollUpdate, false);
  QApplication::sendEvent(&viewer, &scroll);
  const auto p1 = viewer.state().slideToView(2000, 2000);
  EXPECT_DOUBLE_EQ(viewer.state().zoom(), zoomBefore);
  EXPECT_NEAR(p1[0] - p0[0], 30, 1e-6);
  EXPECT_NEAR(p1[1] - p0[1], -20, 1e-6);
  // Keys: + zooms about the centre, Home fits again.
  QKeyEvent plus(QEvent::KeyPress, Qt::Key_Plus, Qt::NoModifier, QStringLiteral("+"));
  const double z = viewer.state().zoom();
  QApplication::sendEvent(&viewer, &plus);
  EXPECT_NEAR(viewer.state().zoom(), z * 1.25, 1e-9);
  QKeyEvent home(QEvent::KeyPress, Qt::Key_Home, Qt::NoModifier);
  QApplication::sendEvent(&viewer, &home);
  EXPECT_DOUBLE_EQ(viewer.state().zoom(), viewer.state().fitZoom());
  // Minimap (top right, 200 px for 4096 px): a click a quarter across and down centres there.
  viewer.setView(1.0, 2048, 2048);
  const QPointF mini(1600 - 12 - 200 + 50, 12 + 150);
  QMouseEvent click(QEvent::MouseButtonPress, mini, viewer.mapToGlobal(mini), Qt::LeftButton, Qt::LeftButton,
                    Qt::NoModifier);
  QApplication::sendEvent(&viewer, &click);
  QMouseEvent up(QEvent::MouseButtonRelease, mini, viewer.mapToGlobal(mini), Qt::LeftButton, Qt::NoButton,
                 Qt::NoModifier);
  QApplication::sendEvent(&viewer, &up);
  EXPECT_NEAR(viewer.state().centre()[0], 1024, 1);
  EXPECT_NEAR(viewer.state().centre()[1], 3072, 1);
  ASSERT_TRUE(waitForTiles(viewer));
  shoot(viewer, "slide-minimap-jump.png");
}

TEST(SlideViewer, HeatmapColourSitsOnTheMapsMaximum) {
  SlideViewer viewer;
  showViewer(viewer);
  viewer.setSlide(test::openDemoSlide());
  ASSERT_TRUE(waitForTiles(viewer));
  const QImage plain = viewer.grab().toImage().convertToFormat(QImage::Format_RGB32);
  // Per-tile scores: 16 x 16 cells of 256 level-0 pixels (origin = centre of cell 0), one
  // hot spot at cell (11, 4), falling off with distance.
  auto map = core::Volume::allocate({16, 16, 1}, core::PixelType::Float32).value();
  map.spacing = {256, 256, 1};
  map.origin = {127.5, 127.5, 0};
  auto* v = reinterpret_cast<float*>(map.data());
  for (int j = 0; j < 16; ++j)
    for (int i = 0; i < 16; ++i)
      v[j * 16 + i] = static_cast<float>(std::exp(-((i - 11) * (i - 11) + (j - 4) * (j - 4)) / 6.0));
  ASSERT_TRUE(viewer.setHeatmap(map, 0.6).ok());
  QApplication::processEvents();
  const QImage shot = shoot(viewer, "slide-heatmap.png");
  // Undo the blend (screen = 0.6 overlay + 0.4 slide) at each cell centre and read the map
  // value back off the jet colour scale: the highest must be the map's maximum, cell (11, 4).
  auto jetValue = [](double r, double g, double b) {
    double bestT = 0, bestD = 1e18;
    for (int k = 0; k <= 255; ++k) {
      const auto c = core::colorAt(core::ColorMap::Jet, k / 255.0);
      const double d = (c[0] - r) * (c[0] - r) + (c[1] - g) * (c[1] - g) + (c[2] - b) * (c[2] - b);
      if (d < bestD) bestD = d, bestT = k / 255.0;
    }
    return bestT;
  };
  double best = -1;
  int bestI = -1, bestJ = -1;
  for (int j = 0; j < 16; ++j)
    for (int i = 0; i < 16; ++i) {
      const auto p = viewer.state().slideToView(127.5 + 256 * i, 127.5 + 256 * j);
      const QRgb s = shot.pixel(static_cast<int>(p[0]), static_cast<int>(p[1]));
      const QRgb b = plain.pixel(static_cast<int>(p[0]), static_cast<int>(p[1]));
      const double t = jetValue((qRed(s) - 0.4 * qRed(b)) / 0.6, (qGreen(s) - 0.4 * qGreen(b)) / 0.6,
                                (qBlue(s) - 0.4 * qBlue(b)) / 0.6);
      if (t > best) best = t, bestI = i, bestJ = j;
    }
  EXPECT_GT(best, 0.9);
  EXPECT_EQ(bestI, 11);
  EXPECT_EQ(bestJ, 4);
  // Far from it the map is low: jet's blue end.
  const auto cold = viewer.state().slideToView(127.5 + 256 * 1, 127.5 + 256 * 14);
  const QRgb c = shot.pixel(static_cast<int>(cold[0]), static_cast<int>(cold[1]));
  EXPECT_GT(qBlue(c), qRed(c) + 40);
  // A threshold hides the low values (the slide shows through) and keeps the hot spot.
  viewer.setHeatmapThreshold(0.5);
  const QImage thresholded = viewer.grab().toImage().convertToFormat(QImage::Format_RGB32);
  EXPECT_EQ(thresholded.pixel(static_cast<int>(cold[0]), static_cast<int>(cold[1])),
            plain.pixel(static_cast<int>(cold[0]), static_cast<int>(cold[1])));
  const auto peak = viewer.state().slideToView(127.5 + 256 * 11, 127.5 + 256 * 4);
  EXPECT_NE(thresholded.pixel(static_cast<int>(peak[0]), static_cast<int>(peak[1])),
            plain.pixel(static_cast<int>(peak[0]), static_cast<int>(peak[1])));
  viewer.setHeatmapThreshold(std::nullopt);

  // Zoomed in at the hot spot the overlay is still there (drawn per tile of level 0).
  viewer.setView(1.0, 127.5 + 256 * 11, 127.5 + 256 * 4);
  ASSERT_TRUE(waitForTiles(viewer));
  const QImage zoomed = shoot(viewer, "slide-heatmap-level0.png");
  const QRgb hot = zoomed.pixel(800, 500);
  EXPECT_GT(qRed(hot), qBlue(hot) + 60);

  // A map made for a bigger image is refused with the reason, and nothing is drawn.
  QStringList messages;
  QObject::connect(&viewer, &SlideViewer::statusMessage, [&](const QString& m) { messages << m; });
  map.origin = {3000, 127.5, 0};
  const auto refused = viewer.setHeatmap(map);
  ASSERT_FALSE(refused.ok());
  EXPECT_FALSE(viewer.heatmap().hasMap());
  EXPECT_EQ(messages.count(), 1);
  std::cout << "refused: " << refused.error().message << "\n";
}

TEST(SlideViewer, FailingReadsShowErrorTilesAndTheViewerStaysUsable) {
  SlideViewer viewer;
  showViewer(viewer);
  auto slide = std::make_shared<test::InstrumentedSlide>(test::openDemoSlide());
  slide->failFromX = 2048;    // the right half of the slide stops being readable...
  slide->failBelowLevel = 4;  // ...at every level but the coarsest overview
  QStringList messages;
  QObject::connect(&viewer, &SlideViewer::statusMessage, [&](const QString& m) { messages << m; });
  viewer.setSlide(slide);
  viewer.setView(0.5, 2048, 2048);
  ASSERT_TRUE(waitForTiles(viewer));
  const QImage shot = shoot(viewer, "slide-error-tiles.png");
  EXPECT_GT(viewer.failedTiles(), 0);
  ASSERT_GT(messages.count(), 0);
  EXPECT_TRUE(messages.last().contains(QStringLiteral("cannot read the slide file")));
  // A failed tile (right of x = 2048) is drawn hatched red; the left half is the slide.
  const auto p = viewer.state().slideToView(2048 + 256, 2048 - 256);
  int red = 0, n = 0;  // the pink ground and the red hatch lines of the error tile
  for (int y = static_cast<int>(p[1]) - 40; y < static_cast<int>(p[1]) + 40; y += 2)
    for (int x = static_cast<int>(p[0]) - 40; x < static_cast<int>(p[0]) + 40; x += 2, ++n) {
      const QRgb c = shot.pixel(x, y);
      red += qRed(c) > 200 && qRed(c) - qGreen(c) >= 15 && std::abs(qGreen(c) - qBlue(c)) < 12;
    }
  EXPECT_GT(red, n * 9 / 10) << "no error tile where the reads failed";
  EXPECT_GT(screenSlideCorrelation(shot, viewer, 1, 2048), 0.95);
  // Still usable: pan to the readable half, it loads and draws.
  viewer.setView(1.0, 1000, 2500);
  ASSERT_TRUE(waitForTiles(viewer));
  const QImage left = shoot(viewer, "slide-after-errors.png");
  EXPECT_GT(screenSlideCorrelation(left, viewer, 0, 2048), 0.95);
}

TEST(SlideViewer, ScaleBarAndMagnificationFollowTheSlidesMpp) {
  SlideViewer viewer;
  showViewer(viewer);
  auto slide = std::make_shared<test::InstrumentedSlide>(test::openDemoSlide());
  slide->setMicronsPerPixel(std::array<double, 2>{0.25, 0.25});  // as if scanned at 40x (the demo has no mpp)
  viewer.setSlide(slide);
  viewer.setView(0.5, 2048, 2048);
  ASSERT_TRUE(waitForTiles(viewer));
  EXPECT_EQ(viewer.state().magnificationText(), "20\u00d7");
  const auto bar = viewer.state().scaleBar();
  EXPECT_EQ(bar.label, "50 \u00b5m");  // 0.5 µm per screen pixel: >= 50 µm needed, 50 µm is 100 px
  const QImage shot = shoot(viewer, "slide-scalebar-20x.png");
  // The longest black run in the bottom-left corner is the bar, as long as the state says.
  int longest = 0;
  for (int y = shot.height() - 80; y < shot.height(); ++y) {
    int run = 0;
    for (int x = 0; x < 500; ++x) {
      run = shot.pixel(x, y) == qRgb(0, 0, 0) ? run + 1 : 0;
      longest = std::max(longest, run);
    }
  }
  EXPECT_NEAR(longest, bar.screenPixels, 1.0);
}

TEST(SlideViewer, CacheSizeComesFromThePreferencesAndEvictionKeepsTheOverview) {
  QSettings settings;
  const QVariant saved = settings.value(QStringLiteral("slideViewer/cacheMB"));
  settings.setValue(QStringLiteral("slideViewer/cacheMB"), 64);
  SlideViewer viewer;
  if (saved.isValid())
    settings.setValue(QStringLiteral("slideViewer/cacheMB"), saved);
  else
    settings.remove(QStringLiteral("slideViewer/cacheMB"));
  EXPECT_EQ(viewer.cache().capacity(), std::size_t{64} << 20);  // 256 tiles of 256² RGB32, the smallest allowed
  showViewer(viewer);
  viewer.setSlide(test::openDemoSlide());
  ASSERT_TRUE(waitForTiles(viewer));
  // Tour level 0: far more tiles than fit, so older ones are evicted, never the overview.
  for (double x : {600.0, 3400.0, 1200.0, 2800.0, 2000.0})
    for (double y : {700.0, 3300.0, 2000.0}) {
      viewer.setView(1.0, x, y);
      ASSERT_TRUE(waitForTiles(viewer));
      EXPECT_LE(viewer.cache().bytes(), viewer.cache().capacity());
    }
  EXPECT_GT(viewer.cache().evictions(), 0u);
  EXPECT_TRUE(viewer.cache().contains({4, 0, 0}));
  EXPECT_GT(screenSlideCorrelation(viewer.grab().toImage().convertToFormat(QImage::Format_RGB32), viewer, 0), 0.97);
}
