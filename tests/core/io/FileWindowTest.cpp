// FileWindow (the DICOM walkers' buffered reads, issue 16) returns exactly what seekg + read
// return, at any offset and size: inside the window, across its end, at and past the end of
// the file, and reads larger than the window.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include "FileWindow.hpp"

namespace fs = std::filesystem;

namespace {

std::vector<unsigned char> plainRead(std::ifstream& in, std::uint64_t pos, std::uint64_t n) {
  std::vector<unsigned char> out(n);
  in.clear();
  in.seekg(static_cast<std::streamoff>(pos));
  in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(n));
  out.resize(static_cast<std::size_t>(in.gcount()));
  return out;
}

}  // namespace

TEST(FileWindow, ReadsWhatSeekAndReadRead) {
  const fs::path file = fs::path(testing::TempDir()) / "meridian-file-window.bin";
  constexpr std::size_t kSize = 50'000;  // about three windows
  {
    std::ofstream out(file, std::ios::binary);
    for (std::size_t i = 0; i < kSize; ++i) out.put(static_cast<char>((i * 131 + i / 256) & 0xFF));
  }
  std::ifstream windowed(file, std::ios::binary), plain(file, std::ios::binary);
  meridian::io::detail::FileWindow window(windowed);
  std::mt19937_64 random(7);
  // Walker-like rising offsets, random jumps back, the last bytes, past the end, large reads.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> reads;
  for (std::uint64_t pos = 0; pos < kSize + 20; pos += 1 + random() % 700) reads.push_back({pos, 1 + random() % 12});
  for (int i = 0; i < 500; ++i) reads.push_back({random() % (kSize + 100), 1 + random() % 20'000});
  reads.push_back({kSize - 3, 8});
  reads.push_back({kSize, 4});
  reads.push_back({kSize + 1000, 4});
  reads.push_back({16 * 1024 - 2, 8});
  reads.push_back({0, kSize + 10});
  for (const auto& [pos, n] : reads) {
    std::vector<unsigned char> got(n);
    got.resize(static_cast<std::size_t>(window.read(pos, got.data(), n)));
    ASSERT_EQ(got, plainRead(plain, pos, n)) << "read of " << n << " bytes at " << pos;
  }
}
