#pragma once
#include <memory>
#include <vector>

#include "meridian/io/ImageReader.hpp"

namespace meridian::io {

class ReaderRegistry {
 public:
  /// Every reader Meridian ships, registered once.
  static const ReaderRegistry& builtin();

  void add(std::unique_ptr<ImageReader> reader);

  /// The most confident reader for `path`, or nullptr when none can read it (or it is not a
  /// regular file: FIFOs and devices are never opened).
  const ImageReader* find(const std::filesystem::path& path) const;

  /// Opens `path` with the most confident reader. The error names the file and why.
  core::Result<OpenedImage> open(const std::filesystem::path& path) const;

 private:
  std::vector<std::unique_ptr<ImageReader>> readers_;
};

}  // namespace meridian::io
