#pragma once
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
};

}  // namespace meridian::io
