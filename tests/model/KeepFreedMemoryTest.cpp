// keepFreedMemoryForTraining (model/src/train/KeepFreedMemory.hpp): after it, a 24 MiB buffer
// comes from malloc's heap, not a fresh mapping, and stays with the process once freed. Each
// case runs in a fresh process (a death test re-executes this binary), so nothing else here
// has moved glibc's adaptive threshold first; the first case shows what the defaults do, so
// the second can tell the setting from them.

#include <gtest/gtest.h>

#if defined(__GLIBC__)
#include <malloc.h>

#include <cstdlib>
#include <cstring>

#include "train/KeepFreedMemory.hpp"

namespace {

constexpr std::size_t kBuffer = 24u << 20;

// Exit code: 1 when the buffer was a mapping of its own, +2 when freeing it gave the memory
// back (neither mapped nor kept as free heap).
[[noreturn]] void allocateAndExit(bool keep) {
  if (keep) meridian::model::train::keepFreedMemoryForTraining();
  // Through a volatile pointer: the compiler may otherwise drop a malloc whose block is
  // written and freed without being read.
  void* (*volatile allocate)(std::size_t) = std::malloc;
  const auto before = mallinfo2();
  auto* buffer = static_cast<char*>(allocate(kBuffer));
  std::memset(buffer, 1, kBuffer);
  const auto during = mallinfo2();
  std::free(buffer);
  const auto after = mallinfo2();
  const bool mapped = during.hblkhd >= before.hblkhd + kBuffer;
  const bool kept = after.fordblks >= kBuffer;
  std::exit((mapped ? 1 : 0) + (kept ? 0 : 2));
}

TEST(KeepFreedMemory, GlibcDefaultsMapABufferThisLargeAndReturnIt) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(allocateAndExit(false), testing::ExitedWithCode(1 + 2), "");
}

TEST(KeepFreedMemory, AfterItTheBufferComesFromTheHeapAndStays) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(allocateAndExit(true), testing::ExitedWithCode(0), "");
}

}  // namespace
#endif
