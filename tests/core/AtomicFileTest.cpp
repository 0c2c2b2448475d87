#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "meridian/core/AtomicFile.hpp"

namespace fs = std::filesystem;
using namespace meridian::core;

namespace {
std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

TEST(AtomicFile, ReplacesContentsAndLeavesNoTemporaries) {
  const fs::path dir = fs::path(testing::TempDir()) / "meridian-atomic";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path file = dir / "summary.json";
  ASSERT_TRUE(writeFileAtomically(file, "old").ok());
  ASSERT_TRUE(writeFileAtomically(file, "new contents").ok());
  EXPECT_EQ(slurp(file), "new contents");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

TEST(AtomicFile, ReportsAnUnwritableFolder) {
  auto status = writeFileAtomically("/proc/meridian-cannot-write-here/file.txt", "x");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::Io);
  EXPECT_NE(status.error().message.find("/proc/meridian-cannot-write-here/file.txt"), std::string::npos);
}

TEST(AtomicFile, FailedRenameCleansUpAndKeepsWhatWasThere) {
  // A folder sits where the file should go: the rename must fail, the folder and its
  // contents must survive, and no temporary file may be left behind.
  const fs::path dir = fs::path(testing::TempDir()) / "meridian-atomic-rename";
  fs::remove_all(dir);
  fs::create_directories(dir / "summary.json");
  std::ofstream(dir / "summary.json" / "inside.txt") << "precious";
  auto status = writeFileAtomically(dir / "summary.json", "new");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::Io);
  EXPECT_EQ(slurp(dir / "summary.json" / "inside.txt"), "precious");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}
