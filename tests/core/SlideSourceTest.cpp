// SlideSource's own logic, without a file: which level the overview reads and what it refuses.
#include <gtest/gtest.h>

#include <algorithm>

#include "meridian/core/SlideSource.hpp"

namespace meridian::core {
namespace {

// Levels only; every region read comes back as a black picture of the asked size, and the
// levels read are recorded.
class LevelsOnly final : public SlideSource {
 public:
  explicit LevelsOnly(std::vector<SlideLevel> levels) : levels_(std::move(levels)) {}
  std::string vendor() const override { return "test"; }
  const std::vector<SlideLevel>& levels() const override { return levels_; }
  std::optional<std::array<double, 2>> micronsPerPixel() const override { return std::nullopt; }
  const std::map<std::string, std::string>& properties() const override { return properties_; }
  std::vector<std::string> associatedImageNames() const override { return {}; }
  Result<Image2D> readAssociatedImage(const std::string&) const override {
    return makeError(ErrorCode::NotFound, "none");
  }
  Result<Image2D> readRegion(int level, std::int64_t, std::int64_t, int width, int height) const override {
    levelsRead.push_back(level);
    return Image2D::allocate(width, height, 3, PixelType::UInt8);
  }
  mutable std::vector<int> levelsRead;

 private:
  std::vector<SlideLevel> levels_;
  std::map<std::string, std::string> properties_;
};

TEST(SlideSource, TheOverviewReadsTheSmallestLevelThatCoversItsSide) {
  const LevelsOnly slide({{4096, 3000, 1}, {1024, 750, 4}, {256, 188, 16}, {64, 47, 64}});
  EXPECT_EQ(slide.overviewLevel(256), 2);
  EXPECT_EQ(slide.overviewLevel(257), 1);
  EXPECT_EQ(slide.overviewLevel(64), 3);
  EXPECT_EQ(slide.overviewLevel(5000), 3) << "no level covers it: the smallest";
  auto overview = slide.thumbnail(257);
  ASSERT_TRUE(overview) << overview.error().message;
  EXPECT_EQ(slide.levelsRead, std::vector<int>{1});
  EXPECT_EQ(std::max(overview.value().width(), overview.value().height()), 257);
}

TEST(SlideSource, AnOverviewLevelAbove64MpixelIsRefusedWithoutReading) {
  const LevelsOnly slide({{589840, 16000, 1}, {128, 16, 4608}});  // no level between
  EXPECT_EQ(slide.overviewLevel(256), 0);
  auto overview = slide.thumbnail(256);
  ASSERT_FALSE(overview);
  EXPECT_NE(overview.error().message.find("no level small enough"), std::string::npos) << overview.error().message;
  EXPECT_TRUE(slide.levelsRead.empty());
}

}  // namespace
}  // namespace meridian::core
