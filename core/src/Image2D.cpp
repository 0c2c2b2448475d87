#include "meridian/core/Image2D.hpp"

#include <new>

#include <algorithm>
#include <limits>

#include "PixelAccess.hpp"

namespace meridian::core {

const char* toString(PixelType t) {
  switch (t) {
    case PixelType::UInt8: return "uint8";
    case PixelType::Int16: return "int16";
    case PixelType::UInt16: return "uint16";
    case PixelType::Float32: return "float32";
  }
  return "unknown";
}

Result<Image2D> Image2D::allocate(int width, int height, int channels, PixelType type) {
  constexpr long long kMaxPixels = 1LL << 31;  // 2 Gi pixels: beyond this use a SlideSource
  if (width <= 0 || height <= 0)
    return makeError(ErrorCode::InvalidArgument, "image size " + std::to_string(width) + "x" +
                                                     std::to_string(height) + " is empty");
  if (channels != 1 && channels != 3)
    return makeError(ErrorCode::Unsupported, std::to_string(channels) + " channels per pixel (Meridian keeps 1 or 3)");
  if (static_cast<long long>(width) * height > kMaxPixels)
    return makeError(ErrorCode::Unsupported, "image of " + std::to_string(width) + "x" + std::to_string(height) +
                                                 " pixels is too large for a 2D image; open it as a slide");
  Image2D image;
  image.width_ = width;
  image.height_ = height;
  image.channels_ = channels;
  image.type_ = type;
  try {
    image.bytes_.assign(image.rowBytes() * static_cast<std::size_t>(height), 0);
  } catch (const std::bad_alloc&) {  // a header's claim that passed the size rules but not this machine's memory
    return makeError(ErrorCode::Io, "not enough memory for an image of " + std::to_string(width) + "x" +
                                        std::to_string(height) + " pixels");
  }
  return image;
}

double Image2D::valueAt(int x, int y, int c) const {
  const std::size_t index = (static_cast<std::size_t>(y) * width_ + x) * channels_ + c;
  return detail::componentAt(bytes_.data(), type_, index);
}

std::array<double, 2> Image2D::valueRange() const {
  const std::size_t n = static_cast<std::size_t>(width_) * height_ * channels_;
  return detail::componentRange(bytes_.data(), type_, n);
}

}  // namespace meridian::core
