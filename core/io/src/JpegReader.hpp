#pragma once
#include "meridian/io/ImageReader.hpp"

namespace meridian::io {

/// JPEG photographs (fundus, dermatology, ...) through libjpeg-turbo's TurboJPEG API.
/// Not through ITK: ITK 5.2's JPEGImageIO crashes on truncated files (measured with
/// skimage's truncated.jpg), and a hostile file must never take Meridian down.
class JpegReader final : public ImageReader {
 public:
  std::string name() const override { return "libjpeg-turbo"; }
  double detect(const std::filesystem::path& path) const override;
  core::Result<OpenedImage> open(const std::filesystem::path& path) const override;
  core::Result<ImageSummary> describe(const std::filesystem::path& path) const override;
};

}  // namespace meridian::io
