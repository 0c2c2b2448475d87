#include "meridian/core/LookupTable.hpp"

#include <cmath>
#include <cstring>

#include "meridian/core/Image2D.hpp"

namespace meridian::core {

std::uint16_t LookupTable::map(double value) const {
  if (entries.empty()) return 0;
  const double index = std::floor(value) - firstMapped;
  if (!(index > 0)) return entries.front();  // also NaN
  if (index >= static_cast<double>(entries.size() - 1)) return entries.back();
  return entries[static_cast<std::size_t>(index)];
}

Result<Image2D> applyLookupTable(const Image2D& image, const LookupTable& lut) {
  if (image.channels() != 1)
    return makeError(ErrorCode::Unsupported, "a lookup table applies to one-channel images, not " +
                                                 std::to_string(image.channels()) + "-channel ones");
  if (lut.entries.empty()) return makeError(ErrorCode::Corrupt, "the lookup table has no entries");
  const bool eight = lut.bits <= 8;
  auto out = Image2D::allocate(image.width(), image.height(), 1, eight ? PixelType::UInt8 : PixelType::UInt16);
  if (!out) return out.error();
  Image2D& o = out.value();
  for (int y = 0; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x) {
      const std::uint16_t v = lut.map(image.valueAt(x, y));
      const std::size_t i = static_cast<std::size_t>(y) * image.width() + x;
      if (eight) o.pixels<std::uint8_t>()[i] = static_cast<std::uint8_t>(v);
      else o.pixels<std::uint16_t>()[i] = v;
    }
  o.spacing = image.spacing;
  o.photometric = image.photometric;
  o.modality = image.modality;
  return out;
}

}  // namespace meridian::core
