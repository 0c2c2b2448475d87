// The slide view state without a window: level choice, visible tiles, clamping, zoom
// about a point, magnification and scale bar.

#include <gtest/gtest.h>

#include <cmath>

#include "meridian/viewers/SlideViewState.hpp"

using meridian::core::SlideLevel;
using meridian::viewers::SlideViewState;

namespace {

// The demo slide's pyramid: 4096² with downsamples 1, 2, 4, 8, 16.
std::vector<SlideLevel> demoLevels() {
  return {{4096, 4096, 1}, {2048, 2048, 2}, {1024, 1024, 4}, {512, 512, 8}, {256, 256, 16}};
}

SlideViewState makeState(std::optional<std::array<double, 2>> mpp = std::nullopt, int w = 1000, int h = 800) {
  SlideViewState s;
  s.setViewSize(w, h);
  s.reset(demoLevels(), mpp);
  return s;
}

}  // namespace

TEST(SlideViewState, FitsTheSlideAndPicksTheLevelThatFitsTheZoom) {
  SlideViewState s = makeState();
  EXPECT_DOUBLE_EQ(s.zoom(), 800.0 / 4096);
  EXPECT_DOUBLE_EQ(s.centre()[0], 2048);
  // 1/zoom = 5.12: the largest downsample <= 5.12 is 4 (level 2), never the blurrier 8.
  EXPECT_EQ(s.fittingLevel(), 2);
  // (zoom, level): 1/zoom 1.01 still needs level 0; 1/zoom 10 takes ÷8, not ÷16.
  const std::vector<std::pair<double, int>> cases = {{8.0, 0},  {1.0, 0}, {0.99, 0},  {0.5, 1}, {0.49, 1},
                                                     {0.25, 2}, {0.2, 2}, {0.125, 3}, {0.1, 3}};
  for (auto [zoom, level] : cases) {
    s.setView(zoom, 2048, 2048);
    ASSERT_DOUBLE_EQ(s.zoom(), zoom);
    EXPECT_EQ(s.fittingLevel(), level) << "zoom " << zoom;
  }
}

TEST(SlideViewState, ListsTheTilesInViewAndARingAroundThem) {
  SlideViewState s = makeState();
  s.setView(1.0, 2048, 2048);  // level 0; view covers x [1548, 2548), y [1648, 2448)
  const auto r = s.visibleTiles(0);
  EXPECT_EQ(r.colBegin, 6);
  EXPECT_EQ(r.colEnd, 10);
  EXPECT_EQ(r.rowBegin, 6);
  EXPECT_EQ(r.rowEnd, 10);
  const auto ring = s.visibleTiles(0, 1);
  EXPECT_EQ(ring.colBegin, 5);
  EXPECT_EQ(ring.colEnd, 11);
  // At level 2 (÷4) the same view is 1000/4 level pixels: tiles 1..2 (256 px each).
  const auto l2 = s.visibleTiles(2);
  EXPECT_EQ(l2.colBegin, 1);
  EXPECT_EQ(l2.colEnd, 3);
  // Clipped to the grid at the slide's corner.
  s.setView(1.0, 0, 0);
  const auto corner = s.visibleTiles(0, 1);
  EXPECT_EQ(corner.colBegin, 0);
  EXPECT_EQ(corner.rowBegin, 0);
  EXPECT_EQ(s.allTiles(4).count(), 1);
  EXPECT_EQ(s.allTiles(0).count(), 256);
  const auto t = s.tileRect(1, 7, 7);  // level 1 is 2048 px: the last tile ends at the slide's edge
  EXPECT_DOUBLE_EQ(t.x0, 3584);
  EXPECT_DOUBLE_EQ(t.x1, 4096);
}

TEST(SlideViewState, ZoomKeepsThePointUnderTheCursorAndPanFollowsThePointer) {
  SlideViewState s = makeState();
  s.setView(0.5, 2000, 2000);
  const auto before = s.viewToSlide(300, 200);
  s.zoomAbout(1.7, 300, 200);
  const auto after = s.viewToSlide(300, 200);
  EXPECT_NEAR(after[0], before[0], 1e-9);
  EXPECT_NEAR(after[1], before[1], 1e-9);
  EXPECT_DOUBLE_EQ(s.zoom(), 0.85);
  const auto p = s.slideToView(2100, 1900);
  s.panBy(40, -25);
  const auto q = s.slideToView(2100, 1900);
  EXPECT_NEAR(q[0] - p[0], 40, 1e-9);
  EXPECT_NEAR(q[1] - p[1], -25, 1e-9);
}

TEST(SlideViewState, ClampsPanAndZoomToTheSlide) {
  SlideViewState s = makeState();
  s.setView(1.0, 2048, 2048);
  s.panBy(1e7, -1e7);  // far off to the left and down: the centre stops at the slide's corner
  EXPECT_DOUBLE_EQ(s.centre()[0], 0);
  EXPECT_DOUBLE_EQ(s.centre()[1], 4096);
  s.zoomAbout(1e6, 10, 10);
  EXPECT_DOUBLE_EQ(s.zoom(), SlideViewState::kMaxZoom);
  s.zoomAbout(1e-9, 10, 10);
  EXPECT_DOUBLE_EQ(s.zoom(), s.fitZoom() * SlideViewState::kMinFitFraction);
  s.setView(std::nan(""), std::nan(""), 5);  // nonsense is ignored
  EXPECT_TRUE(std::isfinite(s.zoom()));
  EXPECT_FALSE(s.visibleTiles(s.fittingLevel()).empty()) << "some of the slide is always in view";
}

TEST(SlideViewState, MagnificationFollowsTheTenXPerMicronConvention) {
  SlideViewState s = makeState(std::array<double, 2>{0.25, 0.25});
  s.setView(1.0, 2048, 2048);
  EXPECT_EQ(s.magnificationText(), "40\u00d7");
  s.setView(0.5, 2048, 2048);
  EXPECT_EQ(s.magnificationText(), "20\u00d7");
  s.setView(0.125, 2048, 2048);
  EXPECT_EQ(s.magnificationText(), "5\u00d7");
  SlideViewState half = makeState(std::array<double, 2>{0.5, 0.5});
  half.setView(1.0, 0, 0);
  EXPECT_EQ(half.magnificationText(), "20\u00d7");
  half.setView(0.125, 0, 0);  // 4 µm per screen pixel
  EXPECT_EQ(half.magnificationText(), "2.5\u00d7");
  EXPECT_EQ(makeState().magnificationText(), "") << "no mpp, no magnification";
}

TEST(SlideViewState, ScaleBarIsARoundLengthOfOneToTwoHundredFiftyPixels) {
  SlideViewState s = makeState(std::array<double, 2>{0.25, 0.25});
  s.setView(1.0, 2048, 2048);  // 0.25 µm per screen px: >= 25 µm needed, 50 µm is the next round length
  auto bar = s.scaleBar();
  EXPECT_DOUBLE_EQ(bar.length, 50);
  EXPECT_DOUBLE_EQ(bar.screenPixels, 200);
  EXPECT_EQ(bar.label, "50 \u00b5m");
  s.setView(2.0, 2048, 2048);  // 0.125 µm/px: >= 12.5 µm, so 20 µm (160 px)
  bar = s.scaleBar();
  EXPECT_DOUBLE_EQ(bar.length, 20);
  EXPECT_NEAR(bar.screenPixels, 160, 1e-9);
  for (double zoom = s.minZoom(); zoom <= s.maxZoom(); zoom *= 1.07) {
    s.setView(zoom, 2048, 2048);
    bar = s.scaleBar();
    EXPECT_GE(bar.screenPixels, 100 - 1e-9) << zoom;
    EXPECT_LT(bar.screenPixels, 250) << zoom;
    const double mantissa = bar.length / std::pow(10.0, std::floor(std::log10(bar.length) + 1e-12));
    EXPECT_TRUE(std::abs(mantissa - 1) < 1e-9 || std::abs(mantissa - 2) < 1e-9 || std::abs(mantissa - 5) < 1e-9)
        << bar.length;
  }
  s.setView(s.minZoom(), 2048, 2048);  // 4096 px slide at ~0.1 zoom: 2.5+ µm/px, hundreds of µm
  EXPECT_NE(s.scaleBar().label.find("\u00b5m"), std::string::npos);
  SlideViewState coarse = makeState(std::array<double, 2>{4.0, 4.0});
  coarse.setView(coarse.minZoom(), 2048, 2048);
  EXPECT_NE(coarse.scaleBar().label.find("mm"), std::string::npos) << coarse.scaleBar().label;
  SlideViewState noMpp = makeState();
  noMpp.setView(1.0, 2048, 2048);
  EXPECT_EQ(noMpp.scaleBar().label, "100 px");
}
