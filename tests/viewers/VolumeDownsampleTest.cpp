// The 3D view's smaller copy of a volume (VolumeDownsample.hpp): the block sizes that fit a
// byte budget, block means, and a geometry that keeps the copy where the volume lies.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "meridian/viewers/VolumeDownsample.hpp"

using namespace meridian;

namespace {
core::Volume ramp(std::array<int, 3> size, core::Vec3 spacing) {
  auto volume = core::Volume::allocate(size, core::PixelType::Int16).value();
  auto* v = reinterpret_cast<std::int16_t*>(volume.data());
  for (int k = 0; k < size[2]; ++k)
    for (int j = 0; j < size[1]; ++j)
      for (int i = 0; i < size[0]; ++i) v[(k * size[1] + j) * size[0] + i] = static_cast<std::int16_t>(100 * k + 10 * j + i);
  volume.spacing = spacing;
  return volume;
}
}  // namespace

TEST(VolumeDownsample, AVolumeThatFitsIsKeptWhole) {
  const core::Volume v = ramp({8, 8, 4}, {1, 1, 1});
  EXPECT_EQ(viewers::downsampleFactors(v, v.sizeInBytes()), (std::array<int, 3>{1, 1, 1}));
}

TEST(VolumeDownsample, TheFinestAxisInMmIsMergedFirst) {
  // A CT's shape: fine in-plane pixels, thick slices. Half the bytes: merge x (or y), not z.
  const core::Volume ct = ramp({64, 64, 30}, {0.7, 0.7, 2.5});
  const auto half = viewers::downsampleFactors(ct, ct.sizeInBytes() / 2);
  EXPECT_EQ(half[2], 1);
  EXPECT_EQ(half[0] * half[1], 2);
  // A quarter: both in-plane axes, 1.4 mm blocks, still finer than the 2.5 mm slices.
  EXPECT_EQ(viewers::downsampleFactors(ct, ct.sizeInBytes() / 4), (std::array<int, 3>{2, 2, 1}));
  // The budget holds whatever it asks.
  for (std::size_t budget : {ct.sizeInBytes() / 3, ct.sizeInBytes() / 10, std::size_t{1000}}) {
    const auto f = viewers::downsampleFactors(ct, budget);
    const std::size_t bytes = 2u * ((64 + f[0] - 1) / f[0]) * ((64 + f[1] - 1) / f[1]) * ((30 + f[2] - 1) / f[2]);
    EXPECT_LE(bytes, budget) << f[0] << "x" << f[1] << "x" << f[2];
  }
}

TEST(VolumeDownsample, EachVoxelIsTheMeanOfItsBlockAndStaysWhereTheBlockIs) {
  core::Volume v = ramp({5, 4, 3}, {0.5, 2.0, 3.0});
  v.origin = {10, 20, 30};
  v.direction = {0, 1, 0, -1, 0, 0, 0, 0, 1};  // voxel x runs along patient y, voxel y along -x
  v.rescaleIntercept = -1024;
  v.modality = "CT";
  auto small = viewers::downsample(v, {2, 2, 1});
  ASSERT_TRUE(small.ok());
  const core::Volume& s = small.value();
  EXPECT_EQ(s.size(), (std::array<int, 3>{3, 2, 3}));  // 5 -> 3: the last block holds one column
  // Block (0, 0, k): i in {0, 1}, j in {0, 1}: mean 100k + 10 * 0.5 + 0.5 = 100k + 5.5, rounded to nearest.
  EXPECT_EQ(s.valueAt(0, 0, 1), std::lround(100 + 5.5));
  // The cut-short last column: i = 4 only, j in {2, 3}: 100k + 25 + 4.
  EXPECT_EQ(s.valueAt(2, 1, 2), 200 + 25 + 4);
  // Geometry: block (0, 0, 0)'s centre is the mean of its voxels' centres; spacing scaled.
  const core::Vec3 centre = v.indexToPhysical({0.5, 0.5, 0});
  for (int a = 0; a < 3; ++a) EXPECT_DOUBLE_EQ(s.origin[a], centre[a]);
  EXPECT_EQ(s.spacing, (core::Vec3{1.0, 4.0, 3.0}));
  EXPECT_EQ(s.direction, v.direction);
  const core::Vec3 far = s.indexToPhysical({1, 1, 2});  // block (1, 1, 2): voxels i 2..3, j 2..3
  const core::Vec3 expected = v.indexToPhysical({2.5, 2.5, 2});
  for (int a = 0; a < 3; ++a) EXPECT_NEAR(far[a], expected[a], 1e-12);
  EXPECT_EQ(s.rescaleIntercept, -1024);
  EXPECT_EQ(s.modality, "CT");
  EXPECT_FALSE(viewers::downsample(v, {0, 1, 1}).ok());
}

TEST(VolumeDownsample, AnEightBitCopyReadsInTheVolumesUnitsThroughItsRescale) {
  core::Volume v = ramp({4, 2, 2}, {1, 1, 1});  // stored 0..113
  v.rescaleIntercept = -1024;                   // HU = stored - 1024
  v.modality = "CT";
  auto bytes = viewers::downsampleToBytes(v, {2, 1, 1}, {0.0, 102.0});  // 0.4 stored values a step
  ASSERT_TRUE(bytes.ok());
  const core::Volume& b = bytes.value();
  EXPECT_EQ(b.pixelType(), core::PixelType::UInt8);
  EXPECT_EQ(b.size(), (std::array<int, 3>{2, 2, 2}));
  EXPECT_EQ(b.spacing, (core::Vec3{2.0, 1.0, 1.0}));
  // Block (1, 1, 0): voxels 12 and 13, mean 12.5 stored -> byte round(12.5 / 0.4) = 31 -> 12.4 stored.
  EXPECT_EQ(b.valueAt(1, 1, 0), 31);
  EXPECT_NEAR(b.valueAt(1, 1, 0) * b.rescaleSlope + b.rescaleIntercept, 12.5 - 1024, 0.2);
  // Past the window's top (block (1, 1, 1): 112.5) the byte is clamped to 255 = 102 stored.
  EXPECT_EQ(b.valueAt(1, 1, 1), 255);
  EXPECT_NEAR(255 * b.rescaleSlope + b.rescaleIntercept, 102 - 1024, 1e-9);
  EXPECT_FALSE(viewers::downsampleToBytes(v, {1, 1, 1}, {5.0, 5.0}).ok());
}

TEST(VolumeDownsample, TheEightBitWindowOfACtIsAirToDenseBone) {
  core::Volume ct = ramp({2, 2, 2}, {1, 1, 1});
  ct.modality = "CT";
  ct.rescaleIntercept = -1024;  // stored 0 = -1024 HU
  // Metal at 20000 HU is cut at 3071 HU; the volume's own low end (-1024 HU) kept.
  EXPECT_EQ(viewers::byteCopyWindow(ct, {0.0, 21024.0}), (std::array<double, 2>{0.0, 4095.0}));
  // Not CT: the volume's own range.
  core::Volume mr = ct;
  mr.modality = "MR";
  EXPECT_EQ(viewers::byteCopyWindow(mr, {0.0, 21024.0}), (std::array<double, 2>{0.0, 21024.0}));
  EXPECT_EQ(viewers::byteCopyWindow(mr, {7.0, 7.0}), (std::array<double, 2>{7.0, 8.0}));
}
