#include <gtest/gtest.h>

#include "meridian/core/Hounsfield.hpp"

using namespace meridian::core;

namespace {

Image2D slice(PixelType type, int low, int high, const std::string& modality) {
  Image2D image = Image2D::allocate(2, 1, 1, type).value();
  if (type == PixelType::UInt8) {
    image.pixels<std::uint8_t>()[0] = static_cast<std::uint8_t>(low);
    image.pixels<std::uint8_t>()[1] = static_cast<std::uint8_t>(high);
  } else {
    image.pixels<std::int16_t>()[0] = static_cast<std::int16_t>(low);
    image.pixels<std::int16_t>()[1] = static_cast<std::int16_t>(high);
  }
  image.modality = modality;
  return image;
}

TEST(Hounsfield, TheHeaderDecidesAndWithoutOneTheValuesDo) {
  EXPECT_TRUE(isHounsfieldCt(slice(PixelType::Int16, 0, 2000, "CT")));     // a CT clipped at 0 HU is still a CT
  EXPECT_TRUE(isHounsfieldCt(slice(PixelType::Int16, -1024, 1500, "")));  // air and bone: a CT NIfTI
  EXPECT_FALSE(isHounsfieldCt(slice(PixelType::Int16, -610, 30000, "")));  // the demo MR: no air
  EXPECT_FALSE(isHounsfieldCt(slice(PixelType::Int16, -1024, 1500, "MR")));
  EXPECT_FALSE(isHounsfieldCt(slice(PixelType::UInt8, 0, 255, "CT")));      // 8 bits hold no HU
  EXPECT_TRUE(rangeLooksLikeHounsfield({-900.0, 300.0}));
  EXPECT_FALSE(rangeLooksLikeHounsfield({-899.0, 3000.0}));
}

}  // namespace
