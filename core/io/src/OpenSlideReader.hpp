#pragma once
#include <cstdint>

#include "meridian/io/ImageReader.hpp"

namespace meridian::io {

/// Whole-slide images through OpenSlide: Aperio, Hamamatsu, Leica, MIRAX, Philips,
/// Sakura, Trestle, Ventana and generic tiled pyramidal TIFF.
class OpenSlideReader final : public ImageReader {
 public:
  std::string name() const override { return "OpenSlide"; }
  double detect(const std::filesystem::path& path) const override;
  core::Result<OpenedImage> open(const std::filesystem::path& path) const override;
  core::Result<ImageSummary> describe(const std::filesystem::path& path) const override;

  /// How many OpenSlide handles this process has opened so far. Each one parses the slide's
  /// whole directory chain, so reads should reuse them (tests check that they do).
  static std::uint64_t handlesOpened();
};

}  // namespace meridian::io
