#include "meridian/io/ImageWriter.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>

#include "ItkLibrary.hpp"
#include "NiftiWriter.hpp"
#include "PngWriter.hpp"
#include "meridian/core/AtomicFile.hpp"

namespace meridian::io {
namespace {

using core::ErrorCode;
namespace fs = std::filesystem;

// NaN or infinity in a float output is refused with the reason: a map or image that holds
// them is a wrong result (and ITK's NIfTI writer, used before issue 16, did not even keep them).
core::Status checkFinite(core::PixelType type, const void* data, std::size_t bytes, const fs::path& path) {
  if (type != core::PixelType::Float32) return core::Ok{};
  const auto* values = static_cast<const float*>(data);
  for (std::size_t i = 0; i < bytes / sizeof(float); ++i)
    if (!std::isfinite(values[i]))
      return core::makeError(ErrorCode::Corrupt, path.string() + ": not written: the data holds NaN or infinite values");
  return core::Ok{};
}

bool isNifti(const std::string& suffix) { return suffix == ".nii" || suffix == ".nii.gz"; }

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

std::string outputFormatSuffix(const fs::path& path) {
  // "patient.v2.nrrd" is NRRD and "SCAN.NII.GZ" is gzipped NIfTI: the last extension
  // decides, with ".nii.gz" the one two-part suffix.
  const std::string name = lowercase(path.filename().string());
  const std::string gz = ".nii.gz";
  if (name.size() > gz.size() && name.compare(name.size() - gz.size(), gz.size(), gz) == 0) return gz;
  return lowercase(path.extension().string());
}

core::Status writeImage(const core::Image2D& image, const fs::path& path, const core::OutputPolicy& policy) {
  if (image.empty()) return core::makeError(ErrorCode::InvalidArgument, "nothing to write: the image is empty");
  if (auto finite = checkFinite(image.pixelType(), image.data(), image.sizeInBytes(), path); !finite) return finite;
  const std::string suffix = outputFormatSuffix(path);
  if (suffix == ".png") {
    if (auto allowed = core::checkOutputTarget(path, policy); !allowed) return allowed;
    auto png = encodePng(image);
    if (!png) return core::makeError(png.error().code, path.string() + ": " + png.error().message);
    return core::writeFileAtomically(path, png.value(), policy);
  }
  if (isNifti(suffix)) {  // our own writer: no ITK to load, nothing to read back
    detail::NiftiGeometry geometry;
    geometry.dimensions = 2;
    geometry.size = {image.width(), image.height(), 1};
    geometry.type = image.pixelType();
    geometry.channels = image.channels();
    const auto spacing = image.spacing.value_or(std::array<double, 2>{1.0, 1.0});
    geometry.spacing = {spacing[0], spacing[1], 1.0};
    return detail::writeNifti(geometry, image.data(), image.sizeInBytes(), path, suffix == ".nii.gz", policy);
  }
  auto itk = detail::itkLibrary();
  if (!itk) return core::makeError(itk.error().code, path.string() + ": " + itk.error().message);
  return itk.value()->writeImage(image, path, suffix, policy);
}

core::Status writeVolume(const core::Volume& volume, const fs::path& path, const core::OutputPolicy& policy) {
  if (volume.voxelCount() == 0) return core::makeError(ErrorCode::InvalidArgument, "nothing to write: the volume is empty");
  if (auto finite = checkFinite(volume.pixelType(), volume.data(), volume.sizeInBytes(), path); !finite) return finite;
  const std::string suffix = outputFormatSuffix(path);
  if (suffix != ".nii" && suffix != ".nii.gz" && suffix != ".nrrd" && suffix != ".mha")
    return core::makeError(ErrorCode::Unsupported, path.string() + ": volumes are written as .nii, .nii.gz, .nrrd or .mha (not '" +
                                                       suffix + "')");
  if (isNifti(suffix)) {
    detail::NiftiGeometry geometry;
    geometry.size = volume.size();
    geometry.type = volume.pixelType();
    geometry.channels = volume.channels();
    geometry.spacing = volume.spacing;
    geometry.origin = volume.origin;
    geometry.direction = volume.direction;
    return detail::writeNifti(geometry, volume.data(), volume.sizeInBytes(), path, suffix == ".nii.gz", policy);
  }
  auto itk = detail::itkLibrary();
  if (!itk) return core::makeError(itk.error().code, path.string() + ": " + itk.error().message);
  return itk.value()->writeVolume(volume, path, suffix, policy);
}

}  // namespace meridian::io
