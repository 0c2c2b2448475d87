#include "meridian/project/Thumbnails.hpp"

#include <gtest/gtest.h>

#include "ProjectTestSupport.hpp"
#include "meridian/io/ReaderRegistry.hpp"
#include "meridian/project/ProjectImport.hpp"

using namespace meridian;
using namespace meridian::project;

TEST(Thumbnails, MadeOnceInTheProjectAndNoLargerThanAsked) {
  auto store = ProjectStore::create(test::freshFolder("project")).value();
  auto report = importIntoProject(*store, {test::kSkimage / "retina.jpg", test::kPydicom / "dicomdirtests" / "98892001" / "CT5N"});
  ASSERT_TRUE(report) << report.error().describe();
  const auto cases = store->listCases().value();
  ASSERT_EQ(cases.size(), 2u);
  for (const auto& c : cases) {
    auto path = ensureThumbnail(*store, c, 64);
    ASSERT_TRUE(path) << c.path << ": " << path.error().describe();
    EXPECT_EQ(path.value().parent_path(), store->thumbnailsFolder());
    auto png = io::ReaderRegistry::builtin().open(path.value());
    ASSERT_TRUE(png) << png.error().describe();
    const auto& image = std::get<core::Image2D>(png.value().content);
    EXPECT_LE(std::max(image.width(), image.height()), 64);
    EXPECT_GT(std::min(image.width(), image.height()), 0);
    const auto written = std::filesystem::last_write_time(path.value());
    EXPECT_EQ(ensureThumbnail(*store, c, 64).value(), path.value());  // cached: not made again
    EXPECT_EQ(std::filesystem::last_write_time(path.value()), written);
  }
}
