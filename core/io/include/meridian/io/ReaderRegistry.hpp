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

  /// Describes `path` from its headers with the most confident reader (see
  /// ImageReader::describe); the same refusals, with the file named, as open().
  core::Result<ImageSummary> describe(const std::filesystem::path& path) const;

 private:
  /// find(), with the reason when no reader applies (a folder, a FIFO, an unknown format).
  core::Result<const ImageReader*> readerFor(const std::filesystem::path& path) const;

  std::vector<std::unique_ptr<ImageReader>> readers_;
};

}  // namespace meridian::io
