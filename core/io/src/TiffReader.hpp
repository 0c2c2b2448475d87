#pragma once
#include "meridian/io/ImageReader.hpp"

namespace meridian::io {

/// Plain (not pyramidal) TIFF images through libtiff: 8/16-bit grey and RGB read as
/// stored, every other layout (palette, YCbCr, CMYK, bit depths 1-4, separate planes)
/// through libtiff's RGBA conversion; the first page of multi-page files. Not through
/// ITK: ITK 5.2's TIFFImageIO overflows a heap buffer on a damaged TIFF (found by the
/// raster fuzzer). Tiled pyramids are slides: OpenSlideReader claims them first.
class TiffReader final : public ImageReader {
 public:
  std::string name() const override { return "libtiff"; }
  double detect(const std::filesystem::path& path) const override;
  core::Result<OpenedImage> open(const std::filesystem::path& path) const override;
  core::Result<ImageSummary> describe(const std::filesystem::path& path) const override;
};

}  // namespace meridian::io
