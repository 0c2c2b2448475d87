#include "meridian/core/RegularFile.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using meridian::core::checkRegularFile;
using meridian::core::ErrorCode;

namespace {

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("meridian-regularfile-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path p = dir / name;
  fs::remove_all(p);
  return p;
}

}  // namespace

TEST(RegularFile, AcceptsARegularFileAndReportsItsSize) {
  const fs::path p = scratch("plain.bin");
  { std::ofstream(p, std::ios::binary) << "12345"; }
  auto r = checkRegularFile(p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().size, 5u);
}

TEST(RegularFile, FollowsASymlinkToARegularFile) {
  const fs::path target = scratch("target.bin");
  { std::ofstream(target, std::ios::binary) << "abc"; }
  const fs::path link = scratch("link.bin");
  fs::create_symlink(target, link);
  ASSERT_TRUE(checkRegularFile(link).ok());
}

TEST(RegularFile, RefusesAFifoWithoutOpeningIt) {
  const fs::path p = scratch("pipe.nii");
  ASSERT_EQ(::mkfifo(p.c_str(), 0600), 0);
  auto r = checkRegularFile(p);  // opening it would block forever: the test would hang
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::Unsupported);
  EXPECT_NE(r.error().message.find("FIFO"), std::string::npos) << r.error().message;
}

TEST(RegularFile, RefusesDevicesDirectlyAndThroughASymlink) {
  auto direct = checkRegularFile("/dev/zero");
  ASSERT_FALSE(direct.ok());
  EXPECT_NE(direct.error().message.find("character device"), std::string::npos) << direct.error().message;
  const fs::path link = scratch("weights.safetensors");
  fs::create_symlink("/dev/zero", link);
  auto viaLink = checkRegularFile(link);
  ASSERT_FALSE(viaLink.ok());
  EXPECT_NE(viaLink.error().message.find("character device"), std::string::npos);
}

TEST(RegularFile, RefusesAFolderAndAMissingPath) {
  const fs::path dir = scratch("folder.nrrd");
  fs::create_directories(dir);
  auto folder = checkRegularFile(dir);
  ASSERT_FALSE(folder.ok());
  EXPECT_NE(folder.error().message.find("a folder"), std::string::npos);
  auto missing = checkRegularFile(scratch("missing.png"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
}

TEST(RegularFile, RefusesASymlinkLoop) {
  const fs::path a = scratch("loop-a");
  const fs::path b = scratch("loop-b");
  fs::create_symlink(b, a);
  fs::create_symlink(a, b);
  ASSERT_FALSE(checkRegularFile(a).ok());
}
