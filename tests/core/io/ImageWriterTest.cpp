#include <gtest/gtest.h>

#include <cstring>

#include "TestData.hpp"
#include "meridian/io/ImageWriter.hpp"
#include "meridian/io/ReaderRegistry.hpp"

namespace fs = std::filesystem;
using namespace meridian;

TEST(ImageWriter, PngRoundTripKeepsEveryPixel) {
  auto opened = io::ReaderRegistry::builtin().open(testdata::kSkimage / "ihc.png");
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  const auto& original = std::get<core::Image2D>(opened.value().content);
  const fs::path out = fs::path(testing::TempDir()) / "meridian-ihc-copy.png";
  ASSERT_TRUE(io::writeImage(original, out).ok());
  auto back = io::ReaderRegistry::builtin().open(out);
  ASSERT_TRUE(back.ok()) << back.error().describe();
  const auto& copy = std::get<core::Image2D>(back.value().content);
  ASSERT_EQ(copy.sizeInBytes(), original.sizeInBytes());
  EXPECT_EQ(0, std::memcmp(copy.data(), original.data(), copy.sizeInBytes()));
}

TEST(ImageWriter, UnknownExtensionAndUnwritableFolderFail) {
  core::Image2D image = core::Image2D::allocate(8, 8, 1, core::PixelType::UInt8).value();
  auto unknown = io::writeImage(image, fs::path(testing::TempDir()) / "x.unknownext");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, core::ErrorCode::Unsupported);
  auto unwritable = io::writeImage(image, "/proc/meridian/x.png");
  ASSERT_FALSE(unwritable.ok());
  EXPECT_EQ(unwritable.error().code, core::ErrorCode::Io);
}
