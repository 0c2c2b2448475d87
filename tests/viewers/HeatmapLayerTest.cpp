// HeatmapLayer without a window: where a map's cells land on the image, what the
// threshold hides, and which maps are refused.

#include <gtest/gtest.h>

#include <cmath>

#include "meridian/core/HeatmapOverlay.hpp"
#include "meridian/viewers/HeatmapLayer.hpp"

namespace meridian::viewers {
namespace {

core::Volume mapVolume(int w, int h, core::Vec3 spacing, core::Vec3 origin, float fill = 0.0f) {
  core::Volume v = core::Volume::allocate({w, h, 1}, core::PixelType::Float32).value();
  std::fill_n(reinterpret_cast<float*>(v.data()), static_cast<std::size_t>(w) * h, fill);
  v.spacing = spacing;
  v.origin = origin;
  return v;
}

void setCell(core::Volume& v, int i, int j, float value) {
  reinterpret_cast<float*>(v.data())[static_cast<std::size_t>(j) * v.size()[0] + i] = value;
}

// A ViT with 16-pixel patches sees a 300x200 image letterboxed into 224x224: resized to
// 224x149 (scale 224/300 across, 149/200 down), 37 rows of padding above. The patch at grid
// column 9, row 6 is the hottest; the map, dropped of its padding rows, must put it where
// that patch's pixels came from in the original image.
TEST(HeatmapLayer, ALetterboxedPatchGridLandsOnTheImagePixelsItSaw) {
  const int imageW = 300, imageH = 200, input = 224, patch = 16;
  const double scaleX = 224.0 / 300.0, scaleY = 149.0 / 200.0;
  const int offsetY = (input - 149) / 2;
  core::Heatmap grid;
  grid.width = grid.height = input / patch;
  grid.values.assign(14 * 14, 0.1f);
  grid.values[6 * 14 + 9] = 1.0f;
  grid.cellWidth = patch / scaleX;
  grid.cellHeight = patch / scaleY;
  grid.originX = 0.0;
  grid.originY = -offsetY / scaleY;

  auto map = core::heatmapToMapVolume(grid, imageW, imageH);
  ASSERT_TRUE(map.ok()) << map.error().message;
  // Rows 0-1 (input y < 32) and 12-13 (y >= 192) are padding only: 37..186 is the image.
  EXPECT_EQ(map.value().size()[0], 14);
  EXPECT_EQ(map.value().size()[1], 10);

  HeatmapLayer layer;
  ASSERT_TRUE(layer.setMap(map.value()).ok());
  EXPECT_TRUE(layer.checkFits(imageW, imageH).ok()) << layer.checkFits(imageW, imageH).error().message;

  // Centre of patch (9, 6) in input pixels, then in original pixel indices (centres on integers).
  const double cx = (9 * patch + patch / 2.0) / scaleX - 0.5;
  const double cy = (6 * patch + patch / 2.0 - offsetY) / scaleY - 0.5;
  EXPECT_FLOAT_EQ(layer.sampleImage(cx, cy, Interpolation::Nearest).value(), 1.0f);
  EXPECT_FLOAT_EQ(layer.sampleImage(cx, cy, Interpolation::Linear).value(), 1.0f);
  // Just inside and just outside that patch's pixels, along both axes.
  const double halfW = patch / scaleX / 2, halfH = patch / scaleY / 2;
  EXPECT_FLOAT_EQ(layer.sampleImage(cx + halfW - 0.05, cy, Interpolation::Nearest).value(), 1.0f);
  EXPECT_FLOAT_EQ(layer.sampleImage(cx + halfW + 0.05, cy, Interpolation::Nearest).value(), 0.1f);
  EXPECT_FLOAT_EQ(layer.sampleImage(cx, cy - halfH + 0.05, Interpolation::Nearest).value(), 1.0f);
  EXPECT_FLOAT_EQ(layer.sampleImage(cx, cy - halfH - 0.05, Interpolation::Nearest).value(), 0.1f);
  // Bilinear: halfway between the hot cell's centre and its neighbour's.
  EXPECT_NEAR(layer.sampleImage(cx + halfW, cy, Interpolation::Linear).value(), 0.55f, 1e-4);

  // Rendered over the whole image at its own size, the hot colour sits on that patch only.
  layer.setOpacity(1.0);
  const auto rgba =
      layer.renderRgba(ImageRegion{-0.5, -0.5, double(imageW), double(imageH)}, imageW, imageH, Interpolation::Nearest);
  ASSERT_EQ(rgba.size(), static_cast<std::size_t>(imageW) * imageH * 4);
  const auto hot = core::colorAt(core::ColorMap::Jet, 1.0);
  int hotPixels = 0;
  double sumX = 0, sumY = 0;
  for (int y = 0; y < imageH; ++y)
    for (int x = 0; x < imageW; ++x) {
      const std::uint8_t* p = &rgba[(static_cast<std::size_t>(y) * imageW + x) * 4];
      if (p[0] == hot[0] && p[1] == hot[1] && p[2] == hot[2] && p[3] == 255) ++hotPixels, sumX += x, sumY += y;
    }
  const double cellPixels = (patch / scaleX) * (patch / scaleY);
  EXPECT_NEAR(hotPixels, cellPixels, 2 * (patch / scaleX + patch / scaleY));
  EXPECT_NEAR(sumX / hotPixels, cx, 0.6);
  EXPECT_NEAR(sumY / hotPixels, cy, 0.6);
}

TEST(HeatmapLayer, TheUncroppedLetterboxGridIsRefusedAndSaysBothExtents) {
  // The full 14x14 grid of the 300x200 image above reaches 37 input pixels (> 2 cells) into
  // the padding above and below: that is a map for a square image, not for this one.
  const double cell = 16 * 300.0 / 224.0;
  HeatmapLayer layer;
  ASSERT_TRUE(
      layer.setMap(mapVolume(14, 14, {cell, cell, 1}, {cell / 2 - 0.5, cell / 2 - 0.5 - 37 * 300.0 / 224.0, 0})).ok());
  const auto fits = layer.checkFits(300, 200);
  ASSERT_FALSE(fits.ok());
  EXPECT_NE(fits.error().message.find("14x14 cells"), std::string::npos) << fits.error().message;
  EXPECT_NE(fits.error().message.find("y -50.05"), std::string::npos) << fits.error().message;
  EXPECT_NE(fits.error().message.find("the image x -0.5..299.5, y -0.5..199.5 pixels"), std::string::npos)
      << fits.error().message;
}

TEST(HeatmapLayer, AMapMadeForALargerImageIsRefused) {
  // 14x14 cells of 16 pixels: made for a 224-pixel input, shown on a 200x200 image.
  HeatmapLayer layer;
  ASSERT_TRUE(layer.setMap(mapVolume(14, 14, {16, 16, 1}, {7.5, 7.5, 0})).ok());
  EXPECT_TRUE(layer.checkFits(224, 224).ok());
  EXPECT_TRUE(layer.checkFits(230, 230).ok());  // partial cover is fine
  EXPECT_TRUE(layer.checkFits(220, 210).ok());  // edge cells straddling the border
  const auto refused = layer.checkFits(200, 200);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("x -0.5..223.5, y -0.5..223.5 pixels"), std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find("x -0.5..199.5, y -0.5..199.5 pixels"), std::string::npos);
  // Shifted off the image: refused even though it is small.
  ASSERT_TRUE(layer.setMap(mapVolume(2, 2, {16, 16, 1}, {-40, 0, 0})).ok());
  EXPECT_FALSE(layer.checkFits(224, 224).ok());
}

TEST(HeatmapLayer, ValuesBelowTheThresholdAreTransparent) {
  core::Volume map = mapVolume(4, 1, {10, 10, 1}, {4.5, 4.5, 0});
  for (int i = 0; i < 4; ++i) setCell(map, i, 0, static_cast<float>(i));  // 0 1 2 3
  HeatmapLayer layer;
  ASSERT_TRUE(layer.setMap(map).ok());
  EXPECT_EQ(layer.dataRange(), (std::array<double, 2>{0.0, 3.0}));
  layer.setOpacity(0.5);
  layer.setThreshold(1.5);
  const auto rgba = layer.renderRgba(ImageRegion{-0.5, -0.5, 40, 10}, 4, 1, Interpolation::Nearest);
  ASSERT_EQ(rgba.size(), 16u);
  EXPECT_EQ(rgba[3], 0);     // 0 < 1.5
  EXPECT_EQ(rgba[7], 0);     // 1 < 1.5
  EXPECT_EQ(rgba[11], 128);  // 2 shown at half opacity
  EXPECT_EQ(rgba[15], 128);
  // Premultiplied: the top of jet (dark red, 128 0 0) at alpha 0.5.
  const auto top = core::colorAt(core::ColorMap::Jet, 1.0);
  EXPECT_EQ(rgba[12], std::lround(top[0] * 0.5));
  EXPECT_EQ(rgba[0], 0);
  // Without a threshold every cell shows; a narrower value range saturates.
  layer.setThreshold(std::nullopt);
  layer.setValueRange(0, 1);
  EXPECT_EQ(layer.colorFor(0.0f)[3], 128);
  EXPECT_EQ(layer.colorFor(2.0f), layer.colorFor(3.0f));
  EXPECT_EQ(layer.colorFor(std::nanf(""))[3], 0);
}

TEST(HeatmapLayer, MissingCellsDoNotSpreadAndOutsideIsEmpty) {
  core::Volume map = mapVolume(2, 1, {10, 10, 1}, {4.5, 4.5, 0}, 2.0f);
  setCell(map, 1, 0, std::nanf(""));
  HeatmapLayer layer;
  ASSERT_TRUE(layer.setMap(map).ok());
  EXPECT_FLOAT_EQ(layer.sampleImage(9.5, 4.5, Interpolation::Linear).value(), 2.0f);
  EXPECT_FALSE(layer.sampleImage(14.5, 4.5, Interpolation::Linear).has_value());
  EXPECT_FALSE(layer.sampleImage(-1.0, 4.5, Interpolation::Nearest).has_value());
  EXPECT_FALSE(layer.sampleImage(4.5, 10.0, Interpolation::Nearest).has_value());
}

TEST(HeatmapLayer, BadMapsAreRefusedAndTheOldOneKept) {
  HeatmapLayer layer;
  ASSERT_TRUE(layer.setMap(mapVolume(2, 2, {1, 1, 1}, {0, 0, 0}, 1.0f)).ok());
  auto rgb = core::Volume::allocate({2, 2, 1}, core::PixelType::Float32, core::PixelBuffer::Init::Zero, 3).value();
  EXPECT_FALSE(layer.setMap(rgb).ok());
  auto bytes = core::Volume::allocate({2, 2, 1}, core::PixelType::UInt8).value();
  EXPECT_FALSE(layer.setMap(bytes).ok());
  EXPECT_FALSE(layer.setMap(mapVolume(2, 2, {0, 1, 1}, {0, 0, 0})).ok());
  EXPECT_FALSE(layer.setMap(mapVolume(2, 2, {1, 1, 1}, {0, 0, 0}, std::nanf(""))).ok());
  EXPECT_TRUE(layer.hasMap());
  EXPECT_EQ(layer.map().size()[0], 2);
}

TEST(HeatmapLayer, APerSliceMapFitsItsVolumeInPhysicalSpace) {
  // A CT of 64x64x20 voxels, 0.7 x 0.7 x 2.5 mm, origin (-20, -30, 100), with a map of 8x8x20
  // cells of 5.6 x 5.6 x 2.5 mm (8 voxels per cell in-plane) in the same space.
  core::Volume ct = core::Volume::allocate({64, 64, 20}, core::PixelType::Int16).value();
  ct.spacing = {0.7, 0.7, 2.5};
  ct.origin = {-20, -30, 100};
  core::Volume map = core::Volume::allocate({8, 8, 20}, core::PixelType::Float32).value();
  map.spacing = {5.6, 5.6, 2.5};
  map.origin = {-20 + 3.5 * 0.7, -30 + 3.5 * 0.7, 100};
  reinterpret_cast<float*>(map.data())[(static_cast<std::size_t>(7) * 8 + 2) * 8 + 5] = 9.0f;  // cell (5, 2, 7)
  HeatmapLayer layer;
  ASSERT_TRUE(layer.setMap(map).ok());
  EXPECT_TRUE(layer.checkFits(ct).ok()) << layer.checkFits(ct).error().message;
  // Voxel (43, 20, 7) lies in cell (5, 2, 7).
  EXPECT_FLOAT_EQ(layer.sample(ct.indexToPhysical({43, 20, 7}), Interpolation::Nearest).value(), 9.0f);
  EXPECT_FLOAT_EQ(layer.sample(ct.indexToPhysical({43, 20, 8}), Interpolation::Nearest).value(), 0.0f);
  // The same map shifted by 10 slices no longer fits.
  map.origin[2] += 25.0;
  ASSERT_TRUE(layer.setMap(map).ok());
  const auto refused = layer.checkFits(ct);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("voxels"), std::string::npos);
}

}  // namespace
}  // namespace meridian::viewers
