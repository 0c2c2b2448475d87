#pragma once
// One reader per file format, in OpenSlide's style: `detect` says how sure the reader is
// that it can read a path (0 = not at all, 1 = certain), `open` reads it. The registry
// picks the most confident reader. Adding a format is one file and one registration line.

#include <filesystem>
#include <memory>
#include <string>
#include <variant>

#include "meridian/core/Image2D.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/core/Volume.hpp"
#include "meridian/core/SlideSource.hpp"

namespace meridian::io {

enum class ImageKind { Image, Volume, Slide };
struct ImageSummary;  // ImageSummary.hpp
const char* toString(ImageKind kind);

/// What a file turned out to be.
struct OpenedImage {
  std::string format;  // e.g. "PNG", "NIfTI", "DICOM", "generic-tiff"
  std::variant<core::Image2D, core::Volume, std::shared_ptr<core::SlideSource>> content;

  ImageKind kind() const { return static_cast<ImageKind>(content.index()); }
};

class ImageReader {
 public:
  virtual ~ImageReader() = default;
  virtual std::string name() const = 0;
  virtual double detect(const std::filesystem::path& path) const = 0;
  /// The most detect() ever returns. The registry does not ask a reader that cannot beat
  /// the best claim so far, so a reader whose library loads on first use is not loaded for
  /// a file another reader is surer of.
  virtual double maxScore() const { return 1.0; }
  virtual core::Result<OpenedImage> open(const std::filesystem::path& path) const = 0;
  /// What `summarize(open(path))` would say, from the file's headers alone: the same size,
  /// geometry, pixel type and attributes, and the same refusal of a damaged or hostile file
  /// as far as checks that decode no pixel can tell (lengths against the file size,
  /// structure walks, compressed streams inflated to a bounded scratch buffer and
  /// discarded). No pixel buffer is allocated: `info` on a 2 GiB claim costs a few MB.
  virtual core::Result<ImageSummary> describe(const std::filesystem::path& path) const = 0;
};

}  // namespace meridian::io
