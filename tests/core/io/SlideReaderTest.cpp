#include <gtest/gtest.h>

#include <cstring>
#include <future>
#include <random>
#include <tuple>

#include "DecodedSizeLimit.hpp"
#include "TestData.hpp"
#include "OpenSlideLibrary.hpp"
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

// fuzz_slide: an Aperio label claiming 16384 x 16384 pixels (256 Mpixel, then allowed) made a
// 22 KB file take over 2 GB (1 GiB of ARGB here, as much again inside OpenSlide). Associated
// images now pass the decoded-size rule before anything is allocated; the real ones open.
TEST(SlideReader, AssociatedImageClaimingHugeSizeIsRefusedBeforeAllocating) {
  const auto file = std::filesystem::path(MERIDIAN_TEST_CORRUPT_CORPUS) / "fuzz-slide-aperio-label-256-mpixel.svs";
  auto opened = io::ReaderRegistry::builtin().open(file);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  const auto slide = std::get<std::shared_ptr<core::SlideSource>>(opened.value().content);
  auto label = slide->readAssociatedImage("label");
  ASSERT_FALSE(label.ok());
  EXPECT_NE(label.error().message.find("associated image 'label' of 16384x16384 (1024 MiB of pixels)"), std::string::npos)
      << label.error().message;
  for (const auto& [name, width, height] : {std::tuple{"macro", 48, 16}, std::tuple{"thumbnail", 24, 24}}) {
    auto image = slide->readAssociatedImage(name);
    ASSERT_TRUE(image.ok()) << name << ": " << image.error().describe();
    EXPECT_EQ(image.value().width(), width);
    EXPECT_EQ(image.value().height(), height);
  }
}

// The same kind of input as fuzz_slide found it (12-03, from a fuzz build older than the
// limit): one changed byte makes the Aperio seed's label 32 x 6,881,296, and that build stopped
// at 2051 MB. The label is refused by its claimed size; the slide still opens.
TEST(SlideReader, FuzzedLabelClaiming220MpixelIsRefusedBeforeAllocating) {
  const auto file = std::filesystem::path(MERIDIAN_TEST_CORRUPT_CORPUS) / "fuzz-slide-aperio-label-220-mpixel.svs";
  auto opened = io::ReaderRegistry::builtin().open(file);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  const auto slide = std::get<std::shared_ptr<core::SlideSource>>(opened.value().content);
  auto label = slide->readAssociatedImage("label");
  ASSERT_FALSE(label.ok());
  EXPECT_NE(label.error().message.find("associated image 'label' of 32x6881296 (840 MiB of pixels)"), std::string::npos)
      << label.error().message;
}

// The limit admits far more than scanners write (labels and macros of a few Mpixel): a
// 7.5 Mpixel macro in a 30 MB slide, and up to 64 Mpixel in a 1 GB one.
TEST(SlideReader, AssociatedImageLimitAdmitsRealSizes) {
  using io::detail::checkDecodedSize;
  using io::detail::kAssociatedImageLimit;
  EXPECT_TRUE(checkDecodedSize(1616ULL * 4668 * 4, 30ULL << 20, kAssociatedImageLimit, "macro").ok());
  EXPECT_TRUE(checkDecodedSize(8192ULL * 8192 * 4, 1ULL << 30, kAssociatedImageLimit, "macro").ok());
  EXPECT_FALSE(checkDecodedSize(8192ULL * 8193 * 4, 1ULL << 30, kAssociatedImageLimit, "macro").ok());
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

// The handle a slide was opened with serves its reads: reading from one thread must not open
// the slide again (each openslide_open parses the whole TIFF directory chain; a second one was
// a third of every fuzz_slide execution). A reader on another thread while the first handle is
// busy still gets one of its own.
TEST(SlideReader, ReadsFromOneThreadUseTheHandleTheSlideWasOpenedWith) {
  auto library = io::detail::openSlideLibrary();
  ASSERT_TRUE(library.ok()) << library.error().describe();
  const auto handlesOpened = library.value()->handlesOpened;
  const auto before = handlesOpened();
  auto slide = openDemoSlide();
  ASSERT_TRUE(slide);
  EXPECT_EQ(handlesOpened(), before + 1);
  ASSERT_TRUE(slide->readRegion(0, 1024, 1024, 256, 256).ok());
  ASSERT_TRUE(slide->readRegion(1, 0, 0, 64, 64).ok());
  ASSERT_TRUE(slide->thumbnail(256).ok());
  EXPECT_EQ(handlesOpened(), before + 1);
}
