#include "meridian/core/Hounsfield.hpp"

namespace meridian::core {

bool rangeLooksLikeHounsfield(const std::array<double, 2>& valueRange) {
  return valueRange[0] <= -900.0 && valueRange[1] >= 300.0;
}

bool isHounsfieldCt(const Image2D& image) {
  if (image.empty() || image.channels() != 1 || image.pixelType() == PixelType::UInt8) return false;
  if (image.modality == "CT") return true;
  return image.modality.empty() && rangeLooksLikeHounsfield(image.valueRange());
}

}  // namespace meridian::core
