#pragma once
// Refusing special files by type before anything opens them: a FIFO blocks the reader
// forever, `/dev/zero` or `/dev/urandom` (directly or through a symlink) never ends, a
// socket or a block device is not an image or a weights file. Every entry point that takes
// a user's path (the reader registry, model weights) asks this first.

#include <cstdint>
#include <filesystem>

#include "meridian/core/Result.hpp"

namespace meridian::core {

struct RegularFile {
  std::filesystem::path path;  // as given
  std::uint64_t size = 0;      // bytes, from the same stat() that checked the type
};

/// Ok when `path` names (possibly through symlinks) an existing regular file; otherwise
/// NotFound, or Unsupported naming what it is instead (a folder, a FIFO, a device, ...).
Result<RegularFile> checkRegularFile(const std::filesystem::path& path);

}  // namespace meridian::core
