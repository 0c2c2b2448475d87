#pragma once
#include "meridian/io/ImageReader.hpp"

namespace meridian::io {

/// PNG (8/16-bit, gray, RGB, palette; alpha dropped) through libpng with its errors
/// caught. Not through ITK: ITK 5.2's PNGImageIO aborts the process on a damaged file
/// (measured: a PNG that ends after its header), and a hostile file must never take
/// Meridian down.
class PngReader final : public ImageReader {
 public:
  std::string name() const override { return "libpng"; }
  double detect(const std::filesystem::path& path) const override;
  core::Result<OpenedImage> open(const std::filesystem::path& path) const override;
  core::Result<ImageSummary> describe(const std::filesystem::path& path) const override;
};

}  // namespace meridian::io
