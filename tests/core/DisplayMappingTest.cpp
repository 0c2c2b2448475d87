#include <gtest/gtest.h>

#include "meridian/core/DisplayMapping.hpp"

using namespace meridian::core;

TEST(DisplayMapping, DefaultWindowPrefersTheFilesOwn) {
  Image2D image = Image2D::allocate(4, 4, 1, PixelType::Int16).value();
  image.displayWindow = WindowLevel{40, 400};
  EXPECT_DOUBLE_EQ(defaultWindow(image).center, 40);
  EXPECT_DOUBLE_EQ(defaultWindow(image).width, 400);
}

TEST(DisplayMapping, DefaultWindowIgnoresOutliers) {
  Image2D image = Image2D::allocate(100, 100, 1, PixelType::Float32).value();
  float* p = image.pixels<float>();
  for (int i = 0; i < 10000; ++i) p[i] = static_cast<float>(i % 100);  // 0..99
  p[0] = 1e6f;                                                           // one hot pixel
  const WindowLevel w = defaultWindow(image);
  EXPECT_NEAR(w.center - w.width / 2, 0, 1.0);
  EXPECT_NEAR(w.center + w.width / 2, 99, 1.0);
}

TEST(DisplayMapping, ApplyWindowClampsAndScales) {
  Image2D image = Image2D::allocate(3, 1, 1, PixelType::Int16).value();
  image.pixels<std::int16_t>()[0] = -1000;
  image.pixels<std::int16_t>()[1] = 40;
  image.pixels<std::int16_t>()[2] = 3000;
  const Image2D out = applyWindow(image, {40, 400});
  EXPECT_EQ(out.pixelType(), PixelType::UInt8);
  EXPECT_EQ(out.valueAt(0, 0), 0);
  EXPECT_NEAR(out.valueAt(1, 0), 128, 1);
  EXPECT_EQ(out.valueAt(2, 0), 255);
}

TEST(DisplayMapping, DownsampleAveragesAreas) {
  Image2D image = Image2D::allocate(4, 2, 1, PixelType::UInt8).value();
  const std::uint8_t values[] = {0, 10, 20, 30, 40, 50, 60, 70};
  std::copy(values, values + 8, image.data());
  const Image2D out = downsampleToFit(image, 2);
  ASSERT_EQ(out.width(), 2);
  ASSERT_EQ(out.height(), 1);
  EXPECT_EQ(out.valueAt(0, 0), 25);  // mean of 0, 10, 40, 50
  EXPECT_EQ(out.valueAt(1, 0), 45);  // mean of 20, 30, 60, 70
  EXPECT_EQ(downsampleToFit(image, 10).width(), 4);  // fits already
}

TEST(DisplayMapping, Monochrome1IsShownInverted) {
  Image2D image = Image2D::allocate(2, 1, 1, PixelType::UInt16).value();
  image.pixels<std::uint16_t>()[0] = 0;
  image.pixels<std::uint16_t>()[1] = 1000;
  image.photometric = "MONOCHROME1";
  const Image2D out = applyWindow(image, {500, 1000});
  EXPECT_EQ(out.valueAt(0, 0), 255);
  EXPECT_EQ(out.valueAt(1, 0), 0);
}
