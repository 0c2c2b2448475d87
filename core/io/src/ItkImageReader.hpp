#pragma once
#include "ItkImageIo.hpp"
#include "meridian/io/ImageReader.hpp"

namespace meridian::io {

/// BMP, NIfTI, NRRD and MetaImage (and JPEG 2000 DICOM, see DcmtkReader) through ITK's
/// ImageIO classes. 2D files (and 3D files one slice deep) become Image2D; 3D scalar
/// files become a Volume with ITK's geometry (which is LPS already).
class ItkImageReader final : public ImageReader {
 public:
  std::string name() const override { return "ITK"; }
  double detect(const std::filesystem::path& path) const override;
  core::Result<OpenedImage> open(const std::filesystem::path& path) const override;
  core::Result<ImageSummary> describe(const std::filesystem::path& path) const override;
  /// Reads `path` as DICOM through GDCM: for JPEG 2000 transfer syntaxes only.
  core::Result<OpenedImage> openDicomJpeg2000(const std::filesystem::path& path) const;

  /// Its header (describe) through GDCM: for JPEG 2000 transfer syntaxes only.
  core::Result<ImageSummary> describeDicomJpeg2000(const std::filesystem::path& path) const;

 private:
  core::Result<ImageSummary> describeAs(const std::filesystem::path& path, const detail::ItkFormat& format) const;
  core::Result<OpenedImage> openAs(const std::filesystem::path& path, const detail::ItkFormat& format) const;
};

}  // namespace meridian::io
