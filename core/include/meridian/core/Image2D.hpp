#pragma once
// A 2D image as the model and the 2D viewer see it: rows top to bottom, pixels
// interleaved (RGBRGB...), 1 or 3 channels.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "meridian/core/LookupTable.hpp"
#include "meridian/core/PixelType.hpp"
#include "meridian/core/Result.hpp"

namespace meridian::core {

struct WindowLevel {
  double center = 0.0;
  double width = 1.0;
};

class Image2D {
 public:
  Image2D() = default;

  /// Allocates a zero-filled image; fails on sizes that are zero, negative or absurd.
  static Result<Image2D> allocate(int width, int height, int channels, PixelType type);

  int width() const { return width_; }
  int height() const { return height_; }
  int channels() const { return channels_; }
  PixelType pixelType() const { return type_; }
  bool empty() const { return bytes_.empty(); }

  std::size_t rowBytes() const { return static_cast<std::size_t>(width_) * channels_ * bytesPerComponent(type_); }
  std::uint8_t* data() { return bytes_.data(); }
  const std::uint8_t* data() const { return bytes_.data(); }
  std::size_t sizeInBytes() const { return bytes_.size(); }

  template <class T>
  const T* pixels() const { return reinterpret_cast<const T*>(bytes_.data()); }
  template <class T>
  T* pixels() { return reinterpret_cast<T*>(bytes_.data()); }

  /// Component c of pixel (x, y) as double, whatever the stored type.
  double valueAt(int x, int y, int c = 0) const;
  /// Smallest and largest component value over the whole image.
  std::array<double, 2> valueRange() const;

  /// Physical pixel size in mm (column spacing, row spacing) when the file says it.
  std::optional<std::array<double, 2>> spacing;
  /// DICOM photometric interpretation or "RGB"/"MONOCHROME2" for photos.
  std::string photometric;
  /// DICOM modality ("CR", "DX", "MG", "US", "OP", "XC", "CT" for a slice, ...): from the
  /// file's header, or set by the user for photos and other files that carry none. Empty
  /// when unknown; the model's input check uses it instead of guessing from pixels.
  std::string modality;
  /// Display default from the file (DICOM window centre/width), if any.
  std::optional<WindowLevel> displayWindow;
  /// Every window the file offers (the first is displayWindow), for a window menu.
  std::vector<WindowLevel> windows;
  /// VOI LUT Sequence items, in the file's order. When present, presentation follows the
  /// first (applyLookupTable in LookupTable.hpp) rather than displayWindow; the others are
  /// alternatives. The pixels themselves stay modality values.
  std::vector<LookupTable> voiLuts;

 private:
  int width_ = 0;
  int height_ = 0;
  int channels_ = 0;
  PixelType type_ = PixelType::UInt8;
  std::vector<std::uint8_t> bytes_;
};

}  // namespace meridian::core
