#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <sys/stat.h>
#include <unistd.h>

#include "SmallDisk.hpp"
#include "meridian/core/AtomicFile.hpp"

namespace fs = std::filesystem;
using namespace meridian::core;

namespace {
std::size_t entries(const fs::path& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

fs::path freshDir(const std::string& name) {
  const fs::path dir = fs::path(testing::TempDir()) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

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
  EXPECT_EQ(status.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(status.error().message.find("is a folder"), std::string::npos) << status.error().message;
  EXPECT_EQ(slurp(dir / "summary.json" / "inside.txt"), "precious");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

TEST(AtomicFile, FullDiskFailsKeepsTheOldFileAndLeavesNoTemporary) {
  meridian::test::SmallDisk disk("1m");
  MERIDIAN_REQUIRE_SMALL_DISK(disk);
  const fs::path file = disk / "prediction.json";
  ASSERT_TRUE(writeFileAtomically(file, "old").ok());
  const std::string big(2 << 20, 'x');  // twice the disk
  auto status = writeFileAtomically(file, big);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::Io);
  EXPECT_NE(status.error().message.find("No space left on device"), std::string::npos) << status.error().message;
  EXPECT_EQ(slurp(file), "old");
  EXPECT_EQ(entries(disk.path()), 1u);
}

TEST(AtomicFile, ReadOnlyFolderFailsWithTheReason) {
  meridian::test::SmallDisk disk("1m", /*readOnly=*/true);
  MERIDIAN_REQUIRE_SMALL_DISK(disk);
  auto status = writeFileAtomically(disk / "out.json", "x");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::Io);
  EXPECT_NE(status.error().message.find("Read-only file system"), std::string::npos) << status.error().message;
}

TEST(AtomicFile, KeepsAnExistingFileUnlessAllowedToReplaceIt) {
  const fs::path dir = freshDir("meridian-atomic-keep");
  const fs::path file = dir / "model.json";
  ASSERT_TRUE(writeFileAtomically(file, "first").ok());
  OutputPolicy keep;
  keep.replaceExisting = false;
  auto refused = writeFileAtomically(file, "second", keep);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(refused.error().message.find("already exists"), std::string::npos) << refused.error().message;
  EXPECT_EQ(slurp(file), "first");
  EXPECT_TRUE(writeFileAtomically(dir / "other.json", "new", keep).ok());
  EXPECT_EQ(entries(dir), 2u);
}

TEST(AtomicFile, AFileThatAppearsWhileWritingIsNotReplaced) {
  // Checked again at the rename, atomically (RENAME_NOREPLACE): another run that wrote the
  // target meanwhile keeps its file.
  const fs::path dir = freshDir("meridian-atomic-race");
  OutputPolicy keep;
  keep.replaceExisting = false;
  auto out = AtomicFile::create(dir / "out.json", keep);
  ASSERT_TRUE(out.ok()) << out.error().describe();
  ASSERT_TRUE(out.value().write("mine").ok());
  std::ofstream(dir / "out.json") << "theirs";
  auto committed = out.value().commit();
  ASSERT_FALSE(committed.ok());
  EXPECT_EQ(slurp(dir / "out.json"), "theirs");
  EXPECT_EQ(entries(dir), 1u);
}

TEST(AtomicFile, NeverReplacesAnInputUnderAnyOfItsNames) {
  const fs::path dir = freshDir("meridian-atomic-input");
  fs::create_directories(dir / "sub");
  const fs::path input = dir / "x.png";
  std::ofstream(input) << "pixels";
  fs::create_symlink(input, dir / "link.png");
  fs::create_hard_link(input, dir / "hard.png");
  OutputPolicy policy;  // replacing existing files is allowed, inputs never
  policy.inputs = {input};
  for (const fs::path& name : {dir / "x.png", dir / "." / "x.png", fs::path(dir.string() + "//x.png"),
                               dir / "sub" / ".." / "x.png", dir / "link.png", dir / "hard.png"}) {
    SCOPED_TRACE(name.string());
    auto status = writeFileAtomically(name, "overlay", policy);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(status.error().message.find("is the input"), std::string::npos) << status.error().message;
  }
  EXPECT_EQ(slurp(input), "pixels");
  EXPECT_TRUE(fs::is_symlink(dir / "link.png"));
}

TEST(AtomicFile, RefusesDevicesAndFifos) {
  const fs::path dir = freshDir("meridian-atomic-special");
  ASSERT_EQ(::mkfifo((dir / "pipe").c_str(), 0600), 0);
  fs::create_symlink("/dev/null", dir / "null-link");
  for (const fs::path& target : {fs::path("/dev/null"), dir / "pipe", dir / "null-link"}) {
    SCOPED_TRACE(target.string());
    auto status = writeFileAtomically(target, "x");  // even where replacing is allowed
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.error().message.find("not a file Meridian can write"), std::string::npos)
        << status.error().message;
  }
  struct stat st {};
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
}

TEST(AtomicFile, AbandonedWriteRemovesItsTemporary) {
  const fs::path dir = freshDir("meridian-atomic-abandon");
  {
    auto out = AtomicFile::create(dir / "out.nii.gz", {}, ".nii.gz");
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(out.value().temporaryPath().parent_path(), dir);
    EXPECT_NE(out.value().temporaryPath().string().find(".nii.gz"), std::string::npos);
    ASSERT_TRUE(out.value().write("half").ok());
    EXPECT_EQ(entries(dir), 1u);
  }
  EXPECT_EQ(entries(dir), 0u);
}

TEST(AtomicFile, OutputFolderThatIsOrHoldsAnInputIsRefused) {
  const fs::path dir = freshDir("meridian-atomic-folder");
  fs::create_directories(dir / "base-model");
  std::ofstream(dir / "base-model" / "model.json") << "{}";
  OutputPolicy policy;
  policy.inputs = {dir / "base-model"};
  auto same = checkOutputFolder(dir / "." / "base-model", policy);
  ASSERT_FALSE(same.ok());
  EXPECT_NE(same.error().message.find("holds the input"), std::string::npos) << same.error().message;
  policy.inputs = {dir / "base-model" / "model.json"};
  EXPECT_FALSE(checkOutputFolder(dir, policy).ok());
  policy.inputs.clear();
  policy.replaceExisting = false;
  auto kept = checkOutputFolder(dir / "base-model", policy);
  ASSERT_FALSE(kept.ok());
  EXPECT_NE(kept.error().message.find("not empty"), std::string::npos);
  EXPECT_TRUE(checkOutputFolder(dir / "new-model", policy).ok());
}
