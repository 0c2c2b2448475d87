#pragma once
#include "meridian/io/ImageReader.hpp"

namespace meridian::io {

/// Single DICOM files through DCMTK: uncompressed, deflated, JPEG (baseline, extended,
/// lossless), JPEG-LS and RLE; MONOCHROME1/2, RGB, YBR_FULL(_422), PALETTE COLOR.
/// Rescale slope/intercept applied (CT in HU). One frame -> Image2D; several frames
/// (enhanced CT/MR, OCT; colour cine loops as an RGB volume of frames) -> Volume. JPEG 2000, which DCMTK's free
/// build cannot decode, goes to GDCM/OpenJPEG through ITK.
class DcmtkReader final : public ImageReader {
 public:
  std::string name() const override { return "DCMTK"; }
  double detect(const std::filesystem::path& path) const override;
  core::Result<OpenedImage> open(const std::filesystem::path& path) const override;
  core::Result<ImageSummary> describe(const std::filesystem::path& path) const override;
};

}  // namespace meridian::io
