#include <gtest/gtest.h>

#include "meridian/core/HeatmapOverlay.hpp"

using namespace meridian::core;

namespace {
Image2D grey(int w, int h) {
  Image2D image = Image2D::allocate(w, h, 1, PixelType::UInt8).value();
  std::fill(image.data(), image.data() + image.sizeInBytes(), 128);
  return image;
}
}  // namespace

TEST(HeatmapOverlay, TheHotCellLandsWhereTheGeometrySays) {
  // A 4x4 grid over a 100x60 image, offset by (10, 5), cells 20x12 pixels; hot cell (2, 1).
  Heatmap map{4, 4, std::vector<float>(16, 0.0f), 10.0, 5.0, 20.0, 12.0};
  map.values[1 * 4 + 2] = 1.0f;
  auto out = renderHeatmapOverlay(grey(100, 60), map, 1.0, ColorMap::Jet);
  ASSERT_TRUE(out.ok()) << out.error().describe();
  // Centre of cell (2, 1): x = 10 + 2.5 * 20 = 60, y = 5 + 1.5 * 12 = 23: the top of jet (red).
  const Image2D& o = out.value();
  EXPECT_GT(o.valueAt(60, 23, 0), 120);
  EXPECT_LT(o.valueAt(60, 23, 1), o.valueAt(60, 23, 0));
  EXPECT_LT(o.valueAt(60, 23, 2), 60);
  // A cold cell's centre is the bottom of jet (blue), and outside the map the image shows.
  EXPECT_GT(o.valueAt(20, 47, 2), 100);
  EXPECT_LT(o.valueAt(20, 47, 0), 60);
  EXPECT_EQ(o.valueAt(3, 2, 0), 128);
  EXPECT_EQ(o.valueAt(3, 2, 2), 128);
}

TEST(HeatmapOverlay, MapsThatDoNotFitAreRefused) {
  EXPECT_FALSE(renderHeatmapOverlay(grey(10, 10), Heatmap{2, 2, {1, 2, 3}, 0, 0, 5, 5}).ok());
  EXPECT_FALSE(renderHeatmapOverlay(grey(10, 10), Heatmap{2, 2, {1, 2, 3, 4}, 50, 0, 5, 5}).ok());
  EXPECT_FALSE(renderHeatmapOverlay(grey(10, 10), Heatmap{2, 2, {1, 2, 3, 4}, 0, 0, 0, 5}).ok());
}

TEST(HeatmapOverlay, ColorMapsRunFromDarkToBright) {
  for (ColorMap m : {ColorMap::Viridis, ColorMap::Hot}) {
    const auto a = colorAt(m, 0.0), b = colorAt(m, 1.0);
    EXPECT_LT(a[0] + a[1] + a[2], b[0] + b[1] + b[2]);
  }
  EXPECT_EQ(colorAt(ColorMap::Viridis, 0.0), (std::array<std::uint8_t, 3>{68, 1, 84}));
}
