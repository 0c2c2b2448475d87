#pragma once
#include "meridian/io/ImageReader.hpp"

namespace meridian::io {

/// TIFF, BMP, NIfTI, NRRD, MetaImage and single-file DICOM through ITK's
/// ImageIO classes. 2D files (and 3D files one slice deep) become Image2D; 3D scalar
/// files become a Volume with ITK's geometry (which is LPS already).
class ItkImageReader final : public ImageReader {
 public:
  std::string name() const override { return "ITK"; }
  double detect(const std::filesystem::path& path) const override;
  core::Result<OpenedImage> open(const std::filesystem::path& path) const override;
};

}  // namespace meridian::io
