#include <gtest/gtest.h>

#include <cstring>
#include <future>
#include <random>

#include "TestData.hpp"
#include "meridian/io/ReaderRegistry.hpp"

using namespace meridian;

namespace {
// The demo slide: skimage's ihc.png enlarged 8x by libvips into a tiled JPEG pyramid.
std::shared_ptr<core::SlideSource> openDemoSlide() {
  auto opened = io::ReaderRegistry::builtin().open(testdata::kDemo / "pathology-ihc-slide.tif");
  if (!opened) {
    ADD_FAILURE() << opened.error().describe();
    return nullptr;
  }
  EXPECT_EQ(opened.value().kind(), io::ImageKind::Slide);
  return std::get<std::shared_ptr<core::SlideSource>>(opened.value().content);
}
}  // namespace

TEST(SlideReader, OpensAPyramidWithHalvingLevels) {
  auto slide = openDemoSlide();
  ASSERT_TRUE(slide);
  EXPECT_EQ(slide->vendor(), "generic-tiff");
  const auto& levels = slide->levels();
  ASSERT_GE(levels.size(), 3u);
  EXPECT_EQ(levels[0].width, 4096);
  EXPECT_EQ(levels[0].height, 4096);
  for (std::size_t i = 1; i < levels.size(); ++i) {
    EXPECT_NEAR(levels[i].downsample, 2.0 * levels[i - 1].downsample, 0.05 * levels[i].downsample);
    EXPECT_LT(levels[i].width, levels[i - 1].width);
  }
}

TEST(SlideReader, RegionsHaveTissueAndThumbnailFits) {
  auto slide = openDemoSlide();
  ASSERT_TRUE(slide);
  auto region = slide->readRegion(0, 1024, 1024, 256, 256);
  ASSERT_TRUE(region.ok()) << region.error().describe();
  EXPECT_EQ(region.value().channels(), 3);
  const auto range = region.value().valueRange();
  EXPECT_LT(range[0], 200) << "a region in the middle of stained tissue is not all white";
  auto thumb = slide->thumbnail(300);
  ASSERT_TRUE(thumb.ok()) << thumb.error().describe();
  EXPECT_EQ(std::max(thumb.value().width(), thumb.value().height()), 300);
}

TEST(SlideReader, BadRequestsAreRefused) {
  auto slide = openDemoSlide();
  ASSERT_TRUE(slide);
  EXPECT_FALSE(slide->readRegion(-1, 0, 0, 10, 10).ok());
  EXPECT_FALSE(slide->readRegion(99, 0, 0, 10, 10).ok());
  EXPECT_FALSE(slide->readRegion(0, 0, 0, 0, 10).ok());
  EXPECT_FALSE(slide->readRegion(0, 0, 0, 100000, 100000).ok());
  EXPECT_FALSE(slide->readAssociatedImage("no-such-image").ok());
}

TEST(SlideReader, ConcurrentReadsMatchSerialReads) {
  auto slide = openDemoSlide();
  ASSERT_TRUE(slide);
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> pos(0, 4096 - 256);
  std::vector<std::pair<int, int>> spots;
  for (int i = 0; i < 32; ++i) spots.emplace_back(pos(rng), pos(rng));
  std::vector<core::Image2D> serial;
  for (auto [x, y] : spots) serial.push_back(slide->readRegion(0, x, y, 256, 256).value());
  std::vector<std::future<bool>> jobs;
  for (int t = 0; t < 4; ++t)
    jobs.push_back(std::async(std::launch::async, [&, t] {
      for (std::size_t i = t; i < spots.size(); i += 4) {
        auto r = slide->readRegion(0, spots[i].first, spots[i].second, 256, 256);
        if (!r || std::memcmp(r.value().data(), serial[i].data(), serial[i].sizeInBytes()) != 0) return false;
      }
      return true;
    }));
  for (auto& j : jobs) EXPECT_TRUE(j.get());
}
