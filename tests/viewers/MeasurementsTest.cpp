// The 2D tools' arithmetic without a window: distances and angles in mm (or pixels, said
// so), ROI statistics on a synthetic pattern with known values and on a real CT slice.

#include <gtest/gtest.h>

#include <algorithm>

#include <cmath>
#include <filesystem>

#include "meridian/io/ReaderRegistry.hpp"
#include "meridian/viewers/Measurements.hpp"

namespace meridian::viewers {
namespace {

TEST(ToolsMeasurements, DistanceUsesPixelSpacingWhenKnown) {
  const PixelScale mm{std::array<double, 2>{0.5, 2.0}};
  const Length d = measureDistance({10, 10}, {16, 14}, mm);  // 6 px * 0.5 = 3 mm across, 4 px * 2 = 8 mm down
  EXPECT_TRUE(d.physical);
  EXPECT_NEAR(d.value, std::hypot(3.0, 8.0), 1e-12);
  EXPECT_EQ(d.text(), "8.54 mm");
  const Length px = measureDistance({0, 0}, {3, 4}, PixelScale{});
  EXPECT_FALSE(px.physical);
  EXPECT_DOUBLE_EQ(px.value, 5.0);
  EXPECT_EQ(px.text(), "5.00 px (no pixel spacing)");
}

TEST(ToolsMeasurements, AnglesAreMeasuredInPhysicalSpace) {
  EXPECT_NEAR(measureAngle({10, 0}, {0, 0}, {0, 10}, PixelScale{}).value(), 90.0, 1e-12);
  EXPECT_NEAR(measureAngle({10, 0}, {0, 0}, {-10, 0}, PixelScale{}).value(), 180.0, 1e-12);
  EXPECT_NEAR(measureAngle({10, 0}, {0, 0}, {10, 10}, PixelScale{}).value(), 45.0, 1e-12);
  // On pixels twice as tall as wide, the screen's 45° is atan(2) in the patient.
  EXPECT_NEAR(measureAngle({10, 0}, {0, 0}, {10, 10}, PixelScale{std::array<double, 2>{1.0, 2.0}}).value(),
              std::atan(2.0) * 180 / M_PI, 1e-9);
  EXPECT_FALSE(measureAngle({0, 0}, {0, 0}, {1, 1}, PixelScale{}).has_value());
}

// 20x10 image whose pixel value is x + 100 * y: every statistic has a closed form.
core::Image2D ramp() {
  auto image = core::Image2D::allocate(20, 10, 1, core::PixelType::Int16).value();
  for (int y = 0; y < 10; ++y)
    for (int x = 0; x < 20; ++x) image.pixels<std::int16_t>()[y * 20 + x] = static_cast<std::int16_t>(x + 100 * y);
  image.spacing = std::array<double, 2>{0.5, 0.25};
  return image;
}

TEST(ToolsMeasurements, RectangleStatisticsOnAKnownPattern) {
  // Centres x 2..5, y 1..3 (corners given in any order): 12 pixels.
  auto stats = measureRoi(ramp(), RoiShape::Rectangle, {5.4, 3.2}, {1.6, 0.7});
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  const auto& s = stats.value();
  EXPECT_EQ(s.pixels, 12u);
  EXPECT_DOUBLE_EQ(s.mean, 3.5 + 200.0);
  EXPECT_DOUBLE_EQ(s.min, 102.0);
  EXPECT_DOUBLE_EQ(s.max, 305.0);
  // Sample variance of x + 100 y with x uniform on 4 values and y on 3, independent:
  // (n / (n - 1)) * (var x + 10000 var y) with population variances 1.25 and 2/3.
  EXPECT_NEAR(s.sd, std::sqrt(12.0 / 11.0 * (1.25 + 10000.0 * 2.0 / 3.0)), 1e-9);
  EXPECT_TRUE(s.area.physical);
  EXPECT_DOUBLE_EQ(s.area.value, 12 * 0.5 * 0.25);
  EXPECT_EQ(describe(s, "HU"), "mean 203.5 ± 85.29 HU, min 102.0, max 305.0 (n = 12, 1.50 mm²)");
}

TEST(ToolsMeasurements, EllipseKeepsThePixelsInsideTheInscribedEllipse) {
  // Ellipse inscribed in x 0..8, y 1..7 (centre (4, 4), radii 4 and 3).
  auto stats = measureRoi(ramp(), RoiShape::Ellipse, {0, 1}, {8, 7});
  ASSERT_TRUE(stats.ok());
  std::size_t expected = 0;
  for (int y = 1; y <= 7; ++y)
    for (int x = 0; x <= 8; ++x)
      expected += ((x - 4) / 4.0) * ((x - 4) / 4.0) + ((y - 4) / 3.0) * ((y - 4) / 3.0) <= 1.0;
  EXPECT_EQ(stats.value().pixels, expected);
  EXPECT_LT(expected, 63u);                     // fewer than the bounding rectangle
  EXPECT_DOUBLE_EQ(stats.value().mean, 404.0);  // symmetric about the centre
  EXPECT_DOUBLE_EQ(stats.value().min, 104.0);   // (4, 1): top of the ellipse
  EXPECT_DOUBLE_EQ(stats.value().max, 704.0);
}

TEST(ToolsMeasurements, RegionsOutsideTheImageAreRefused) {
  EXPECT_FALSE(measureRoi(ramp(), RoiShape::Rectangle, {30, 30}, {40, 40}).ok());
  EXPECT_FALSE(measureRoi(ramp(), RoiShape::Rectangle, {0.2, 0.2}, {0.8, 0.8}).ok());  // no pixel centre inside
  EXPECT_FALSE(measureRoi(ramp(), RoiShape::Rectangle, {0, 0}, {5, 5}, 1).ok());       // no channel 1
  // Partly outside: clipped to the image.
  EXPECT_EQ(measureRoi(ramp(), RoiShape::Rectangle, {-5, -5}, {1, 1}).value().pixels, 4u);
}

// Real CT (NEMA WG04 slice in the demo set, HU after the reader's rescale). Reference from
// pydicom + numpy, the peer:
//   a = d.pixel_array * d.RescaleSlope + d.RescaleIntercept
//   a[2:12, 2:12] -> mean -817.35, sd(ddof=1) 24.6885;  a[54:75, 54:75] -> 390.637, 305.556, -97, 1167
TEST(ToolsMeasurements, CtRoiInHounsfieldUnitsMatchesPydicom) {
  const std::filesystem::path file = std::filesystem::path(MERIDIAN_TEST_DEMO_DATA) / "ct-slice.dcm";
  auto opened = io::ReaderRegistry::builtin().open(file);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  const auto& image = std::get<core::Image2D>(opened.value().content);
  auto air = measureRoi(image, RoiShape::Rectangle, {2, 2}, {11, 11});
  ASSERT_TRUE(air.ok());
  EXPECT_EQ(air.value().pixels, 100u);
  EXPECT_NEAR(air.value().mean, -817.35, 1e-9);
  EXPECT_NEAR(air.value().sd, 24.688514075835492, 1e-9);
  auto centre = measureRoi(image, RoiShape::Rectangle, {54, 54}, {74, 74});
  ASSERT_TRUE(centre.ok());
  EXPECT_NEAR(centre.value().mean, 390.6371882086168, 1e-9);
  EXPECT_NEAR(centre.value().sd, 305.5558494929341, 1e-9);
  EXPECT_DOUBLE_EQ(centre.value().min, -97.0);
  EXPECT_DOUBLE_EQ(centre.value().max, 1167.0);
  EXPECT_TRUE(centre.value().area.physical);
  EXPECT_NEAR(centre.value().area.value, 441 * 0.661468 * 0.661468, 1e-9);
}

// A colour photo (the demo IHC tile, PNG: lossless). Peer: PIL + numpy,
//   a = np.asarray(Image.open(path)).astype(float)[20:41, 30:61]
//   means 153.946237, 117.652842, 84.691244; sd(ddof=1) 25.984585, 26.632298, 29.534984; 651 px
TEST(ToolsMeasurements, ColourRoiGivesEveryChannelAsNumpyDoes) {
  const std::filesystem::path file = std::filesystem::path(MERIDIAN_TEST_DEMO_DATA) / "pathology-ihc.png";
  auto opened = io::ReaderRegistry::builtin().open(file);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  const auto& image = std::get<core::Image2D>(opened.value().content);
  ASSERT_EQ(image.channels(), 3);
  const double means[] = {153.946237, 117.652842, 84.691244}, sds[] = {25.984585, 26.632298, 29.534984};
  for (int c = 0; c < 3; ++c) {
    auto stats = measureRoi(image, RoiShape::Rectangle, {30, 20}, {60, 40}, c);
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats.value().pixels, 651u);
    EXPECT_NEAR(stats.value().mean, means[c], 1e-6);
    EXPECT_NEAR(stats.value().sd, sds[c], 1e-6);
  }
  const std::string text = measurementText({Measurement::Kind::RectangleRoi, {{30, 20}, {60, 40}}}, image, "");
  EXPECT_EQ(text.rfind("RGB mean ", 0), 0u) << text;
  EXPECT_NE(text.find("n = 651"), std::string::npos) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '/'), 2) << "three channels: " << text;
}

}  // namespace
}  // namespace meridian::viewers
