#pragma once
// What an opened file is, in plain values: shown in the UI's info panel and written by
// the CLI. Also the 2D picture that stands for it in a preview.

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "meridian/core/Image2D.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/io/ImageReader.hpp"

namespace meridian::io {

struct ImageSummary {
  ImageKind kind = ImageKind::Image;
  std::string format;
  std::vector<std::int64_t> size;              // x, y[, z] (level 0 for slides)
  std::optional<std::vector<double>> spacing;  // mm per pixel/voxel, when known
  std::optional<std::vector<double>> origin;   // volumes: patient position (mm, LPS) of voxel 0
  std::optional<std::vector<double>> direction;  // volumes: row-major 3x3, columns = voxel axes
  std::array<double, 2> rescale{1.0, 0.0};     // slope, intercept still to apply (1, 0: applied)
  std::string dtype;                           // "uint8", "int16", ...
  int channels = 1;
  std::string modality;                        // from DICOM (volumes and images), or set by the user
  std::vector<core::SlideLevel> levels;              // slides
  std::optional<std::array<double, 2>> mpp;    // slides: microns per level-0 pixel
};

ImageSummary summarize(const OpenedImage& opened);

/// What summarize(open(path)) says about one image file, from its headers alone (the
/// reader registry's describe): no pixel is decoded or allocated, and a file open() would
/// refuse is refused alike as far as checks that decode nothing can tell. What
/// `meridian-cli info` prints; folders and DICOMDIRs are listed by listInput instead.
core::Result<ImageSummary> describeFile(const std::filesystem::path& path);

/// The 2D image a viewer or preview shows first: the image itself, the middle axial
/// slice of a volume, or an overview of a slide no larger than maxSlideSide.
core::Result<core::Image2D> representativeImage(const OpenedImage& opened, int maxSlideSide = 2048);

}  // namespace meridian::io
