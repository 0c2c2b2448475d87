#include <gtest/gtest.h>

#include "meridian/core/Image2D.hpp"
#include "meridian/core/Volume.hpp"

using namespace meridian::core;

TEST(Image2D, AllocateChecksSizes) {
  EXPECT_FALSE(Image2D::allocate(0, 10, 1, PixelType::UInt8).ok());
  EXPECT_FALSE(Image2D::allocate(10, -1, 1, PixelType::UInt8).ok());
  EXPECT_FALSE(Image2D::allocate(10, 10, 2, PixelType::UInt8).ok());
  EXPECT_FALSE(Image2D::allocate(100000, 100000, 3, PixelType::UInt8).ok());  // 10 Gpixel: a slide, not an image
  auto image = Image2D::allocate(4, 3, 3, PixelType::Int16);
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image.value().sizeInBytes(), 4u * 3 * 3 * 2);
  EXPECT_EQ(image.value().rowBytes(), 4u * 3 * 2);
}

TEST(Image2D, ValueAtAndRangeFollowInterleavedLayout) {
  Image2D image = Image2D::allocate(2, 2, 3, PixelType::Int16).value();
  std::int16_t* p = image.pixels<std::int16_t>();
  for (int i = 0; i < 12; ++i) p[i] = static_cast<std::int16_t>(i * 10 - 50);
  EXPECT_EQ(image.valueAt(1, 0, 2), 5 * 10 - 50);   // pixel 1, channel 2 -> index 5
  EXPECT_EQ(image.valueAt(0, 1, 1), 7 * 10 - 50);   // pixel 2, channel 1 -> index 7
  EXPECT_EQ(image.valueRange()[0], -50);
  EXPECT_EQ(image.valueRange()[1], 60);
}

TEST(Volume, GeometryMapsIndexToPatientSpace) {
  Volume v = Volume::allocate({4, 5, 6}, PixelType::Int16).value();
  v.spacing = {0.5, 0.75, 2.0};
  v.origin = {-10, 20, 30};
  // Axes permuted and flipped: i -> -y, j -> x, k -> z.
  v.direction = {0, 1, 0, -1, 0, 0, 0, 0, 1};
  const Vec3 p = v.indexToPhysical({2, 4, 3});
  EXPECT_DOUBLE_EQ(p[0], -10 + 4 * 0.75);
  EXPECT_DOUBLE_EQ(p[1], 20 - 2 * 0.5);
  EXPECT_DOUBLE_EQ(p[2], 30 + 3 * 2.0);
}

TEST(Volume, SliceCopiesTheRightPlane) {
  Volume v = Volume::allocate({3, 2, 4}, PixelType::Int16).value();
  auto* voxels = reinterpret_cast<std::int16_t*>(v.data());
  for (std::size_t i = 0; i < v.voxelCount(); ++i) voxels[i] = static_cast<std::int16_t>(i);
  auto slice = v.slice(2);
  ASSERT_TRUE(slice.ok());
  EXPECT_EQ(slice.value().valueAt(0, 0), 12);
  EXPECT_EQ(slice.value().valueAt(2, 1), 17);
  EXPECT_EQ(slice.value().valueAt(1, 1), v.valueAt(1, 1, 2));
  EXPECT_FALSE(v.slice(4).ok());
  EXPECT_FALSE(v.slice(-1).ok());
}

TEST(Volume, ColourFrameStacksInterleaveChannels) {
  Volume v = Volume::allocate({2, 1, 3}, PixelType::UInt8, PixelBuffer::Init::Zero, 3).value();
  EXPECT_EQ(v.sizeInBytes(), 2u * 1 * 3 * 3);
  v.data()[(2 * 1 + 1) * 3 + 2] = 200;  // frame 1, pixel (1, 0), blue
  EXPECT_EQ(v.valueAt(1, 0, 1, 2), 200);
  auto frame = v.slice(1);
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(frame.value().channels(), 3);
  EXPECT_EQ(frame.value().photometric, "RGB");
  EXPECT_EQ(frame.value().valueAt(1, 0, 2), 200);
  EXPECT_FALSE(Volume::allocate({2, 2, 2}, PixelType::UInt8, PixelBuffer::Init::Zero, 2).ok());
}
