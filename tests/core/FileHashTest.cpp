#include "meridian/core/FileHash.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace meridian;

// FIPS 180-2 test vectors.
TEST(FileHash, Sha256MatchesKnownDigests) {
  const fs::path empty = fs::path(testing::TempDir()) / "meridian-empty";
  std::ofstream(empty).close();
  EXPECT_EQ(core::sha256OfFile(empty).value(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const fs::path abc = fs::path(testing::TempDir()) / "meridian-abc";
  std::ofstream(abc) << "abc";
  EXPECT_EQ(core::sha256OfFile(abc).value(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(core::sha256OfBytes("abc"), core::sha256OfFile(abc).value());
  EXPECT_FALSE(core::sha256OfFile("/nonexistent/meridian").ok());
}

TEST(FileHash, LongInputSpanningChunks) {
  // 1,000,000 x 'a' (FIPS 180-2 vector 3) crosses the 1 MiB read chunk boundary only
  // partly; 3 MiB of it exercises several chunks against the in-memory digest.
  EXPECT_EQ(core::sha256OfBytes(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  const fs::path big = fs::path(testing::TempDir()) / "meridian-3mib";
  const std::string bytes(3 * (1 << 20) + 17, 'x');
  std::ofstream(big, std::ios::binary) << bytes;
  EXPECT_EQ(core::sha256OfFile(big).value(), core::sha256OfBytes(bytes));
}

TEST(FileHash, SpecialFilesAreRefusedBeforeReading) {
  // Before: a symlink to /dev/zero was hashed forever and a FIFO blocked forever.
  const std::filesystem::path dir = std::filesystem::path(testing::TempDir()) / "meridian-hash-special";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::filesystem::create_symlink("/dev/zero", dir / "weights.safetensors");
  ASSERT_EQ(::mkfifo((dir / "fifo.safetensors").c_str(), 0600), 0);
  for (const char* name : {"weights.safetensors", "fifo.safetensors"}) {
    auto hash = meridian::core::sha256OfFile(dir / name);
    ASSERT_FALSE(hash.ok()) << name;
    EXPECT_NE(hash.error().message.find("not a regular file"), std::string::npos) << hash.error().message;
  }
}
