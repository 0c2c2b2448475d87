// Otsu tissue masks on thumbnails whose truth is known by construction (the real slide is
// checked in SlidePipelineTest): glass with a stained disc, a field with little glass and
// pale tissue (where one Otsu split would call the pale tissue background), a grey slide.

#include <gtest/gtest.h>

#include <cmath>

#include "meridian/model/TissueMask.hpp"

namespace meridian::model {
namespace {

using Rgb = std::array<std::uint8_t, 3>;

// Thumbnail of w x h whose pixel colour comes from `paint(x, y)`.
template <class Paint>
core::Image2D thumbnail(int w, int h, Paint paint, int channels = 3) {
  auto image = core::Image2D::allocate(w, h, channels, core::PixelType::UInt8).value();
  auto* px = image.pixels<std::uint8_t>();
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const Rgb c = paint(x, y);
      for (int k = 0; k < channels; ++k) px[(static_cast<std::size_t>(y) * w + x) * channels + k] = c[k];
    }
  return image;
}

// Deterministic +-6 grey-level noise so histograms are not single spikes.
std::uint8_t jitter(int base, int x, int y) {
  const unsigned hash = (static_cast<unsigned>(x) * 73856093u) ^ (static_cast<unsigned>(y) * 19349663u);
  const int n = static_cast<int>(hash % 13u) - 6;
  return static_cast<std::uint8_t>(std::clamp(base + n, 0, 255));
}

double agreement(const TissueMask& mask, const std::function<bool(int, int)>& truth) {
  std::size_t same = 0;
  for (int y = 0; y < mask.height; ++y)
    for (int x = 0; x < mask.width; ++x)
      same += (mask.mask[static_cast<std::size_t>(y) * mask.width + x] != 0) == truth(x, y);
  return static_cast<double>(same) / (static_cast<double>(mask.width) * mask.height);
}

TEST(TissueMask, OtsuSplitsTwoPeaksBetweenThem) {
  std::vector<std::uint64_t> histogram(256, 0);
  for (int v = 0; v < 256; ++v)
    histogram[v] = static_cast<std::uint64_t>(1000 * std::exp(-0.5 * std::pow((v - 40) / 10.0, 2)) +
                                              3000 * std::exp(-0.5 * std::pow((v - 200) / 10.0, 2)));
  const int t = otsuThreshold(histogram);
  EXPECT_GT(t, 70);
  EXPECT_LT(t, 170);
  EXPECT_EQ(otsuThreshold(std::vector<std::uint64_t>(256, 0)), 0);
}

TEST(TissueMask, StainedDiscOnGlass) {
  const auto inDisc = [](int x, int y) { return std::hypot(x - 100.0, y - 60.0) < 40.0; };
  const auto image = thumbnail(200, 120, [&](int x, int y) {
    return inDisc(x, y) ? Rgb{jitter(200, x, y), jitter(110, x, y), jitter(160, x, y)}
                        : Rgb{jitter(238, x, y), jitter(238, x, y), jitter(236, x, y)};
  });
  auto mask = computeTissueMask(image, 20000, 12000);
  ASSERT_TRUE(mask.ok()) << mask.error().describe();
  EXPECT_EQ(mask.value().channel, TissueChannel::Saturation);
  EXPECT_EQ(mask.value().otsuSplits, 1);  // the lower class is glass at once
  EXPECT_GT(agreement(mask.value(), inDisc), 0.99);
  EXPECT_DOUBLE_EQ(mask.value().level0PerPixelX, 100.0);
  // Level-0 rectangles: the disc's centre is tissue, the corner is glass.
  EXPECT_DOUBLE_EQ(mask.value().tissueFraction(9000, 5000, 2000, 2000), 1.0);
  EXPECT_DOUBLE_EQ(mask.value().tissueFraction(0, 0, 2000, 2000), 0.0);
  // A rectangle smaller than a mask pixel takes the nearest one.
  EXPECT_DOUBLE_EQ(mask.value().tissueFraction(10000, 6000, 10, 10), 1.0);
}

TEST(TissueMask, PaleTissueIsNotMistakenForGlass) {
  // 10% glass on the left, pale stroma (slightly blue, low saturation), strongly stained
  // (brown) tissue: one Otsu split would separate brown from everything else.
  const auto glass = [](int x, int) { return x < 20; };
  const auto brown = [](int x, int y) { return x >= 110 || (y < 40 && x >= 20); };
  const auto image = thumbnail(200, 100, [&](int x, int y) {
    if (glass(x, y)) return Rgb{jitter(236, x, y), jitter(236, x, y), jitter(234, x, y)};
    if (brown(x, y)) return Rgb{jitter(150, x, y), jitter(95, x, y), jitter(45, x, y)};
    return Rgb{jitter(196, x, y), jitter(200, x, y), jitter(214, x, y)};
  });
  auto mask = computeTissueMask(image, 2000, 1000);
  ASSERT_TRUE(mask.ok()) << mask.error().describe();
  EXPECT_GE(mask.value().otsuSplits, 2);
  EXPECT_GT(agreement(mask.value(), [&](int x, int y) { return !glass(x, y); }), 0.97);
}

TEST(TissueMask, GreyThumbnailUsesDarkness) {
  const auto blob = [](int x, int y) { return x > 30 && x < 90 && y > 20 && y < 70; };
  const auto image = thumbnail(
      120, 90,
      [&](int x, int y) {
        const std::uint8_t v = blob(x, y) ? jitter(90, x, y) : jitter(225, x, y);
        return Rgb{v, v, v};
      },
      1);
  auto mask = computeTissueMask(image, 1200, 900);
  ASSERT_TRUE(mask.ok()) << mask.error().describe();
  EXPECT_EQ(mask.value().channel, TissueChannel::Darkness);
  EXPECT_GT(agreement(mask.value(), blob), 0.99);
  EXPECT_NEAR(mask.value().coverage(), 59.0 * 49.0 / (120.0 * 90.0), 0.01);
}

TEST(TissueMask, RefusesWhatIsNotAThumbnail) {
  const auto floats = core::Image2D::allocate(8, 8, 1, core::PixelType::Float32).value();
  EXPECT_FALSE(computeTissueMask(floats, 100, 100).ok());
  const auto rgb = core::Image2D::allocate(8, 8, 3, core::PixelType::UInt8).value();
  EXPECT_FALSE(computeTissueMask(rgb, 0, 100).ok());
}

}  // namespace
}  // namespace meridian::model
