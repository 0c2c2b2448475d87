#include <gtest/gtest.h>

#include <cmath>

#include "meridian/model/Preprocessor.hpp"

using namespace meridian;
using namespace meridian::model;

namespace {

core::Image2D filled(int w, int h, int channels, core::PixelType type) {
  auto image = core::Image2D::allocate(w, h, channels, type);
  EXPECT_TRUE(image.ok());
  return std::move(image).value();
}

float at(const PreprocessedImage& p, int c, int y, int x) {
  return p.chw[(static_cast<std::size_t>(c) * p.size + y) * p.size + x];
}

TEST(Preprocessor, LetterboxKeepsAspectAndCentres) {
  auto image = filled(300, 150, 3, core::PixelType::UInt8);
  auto out = preprocessImage(image, 224);
  ASSERT_TRUE(out.ok()) << out.error().describe();
  const Letterbox& box = out.value().letterbox;
  EXPECT_EQ(box.resizedWidth, 224);
  EXPECT_EQ(box.resizedHeight, 112);
  EXPECT_EQ(box.offsetX, 0);
  EXPECT_EQ(box.offsetY, 56);
  EXPECT_NEAR(box.scaleX, 224.0 / 300, 1e-12);
  EXPECT_NEAR(box.toOriginalX(224.0), 300.0, 1e-9);
  EXPECT_NEAR(box.toOriginalY(56.0 + 112.0), 150.0, 1e-9);
  EXPECT_EQ(out.value().chw.size(), 3u * 224 * 224);
}

TEST(Preprocessor, NormalisesImageAndPadding) {
  auto image = filled(40, 20, 3, core::PixelType::UInt8);
  std::uint8_t* px = image.pixels<std::uint8_t>();
  for (int i = 0; i < 40 * 20; ++i) {
    px[3 * i + 0] = 255;  // constant colour: resampling must keep it exactly
    px[3 * i + 1] = 0;
    px[3 * i + 2] = 51;
  }
  PreprocessConfig config;
  auto out = preprocessImage(image, 32, config);
  ASSERT_TRUE(out.ok());
  const auto& p = out.value();
  ASSERT_EQ(p.letterbox.offsetY, 8);
  EXPECT_NEAR(at(p, 0, 16, 16), (1.0f - 0.485f) / 0.229f, 1e-5);
  EXPECT_NEAR(at(p, 1, 16, 16), (0.0f - 0.456f) / 0.224f, 1e-5);
  EXPECT_NEAR(at(p, 2, 16, 16), (0.2f - 0.406f) / 0.225f, 1e-5);
  // Padding rows hold the normalised pad value.
  EXPECT_NEAR(at(p, 0, 0, 5), (0.0f - 0.485f) / 0.229f, 1e-6);
  EXPECT_NEAR(at(p, 2, 31, 5), (0.0f - 0.406f) / 0.225f, 1e-6);
}

TEST(Preprocessor, GrayscaleFeedsThreeEqualChannels) {
  auto image = filled(16, 16, 1, core::PixelType::UInt8);
  for (int i = 0; i < 256; ++i) image.pixels<std::uint8_t>()[i] = static_cast<std::uint8_t>(i);
  PreprocessConfig config;
  config.mean = {0.5f, 0.5f, 0.5f};
  config.std = {0.25f, 0.25f, 0.25f};
  auto out = preprocessImage(image, 16, config);
  ASSERT_TRUE(out.ok());
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 16; ++x) {
      const float expected = (static_cast<float>(y * 16 + x) / 255.0f - 0.5f) / 0.25f;  // same size: no resampling
      EXPECT_NEAR(at(out.value(), 0, y, x), expected, 1e-5);
      EXPECT_EQ(at(out.value(), 1, y, x), at(out.value(), 0, y, x));
      EXPECT_EQ(at(out.value(), 2, y, x), at(out.value(), 0, y, x));
    }
}

TEST(Preprocessor, DownscalingAveragesInsteadOfAliasing) {
  // A one-pixel checkerboard shrunk 8x must become flat grey, not a moire of 0s and 1s.
  auto image = filled(128, 128, 1, core::PixelType::UInt8);
  for (int y = 0; y < 128; ++y)
    for (int x = 0; x < 128; ++x) image.pixels<std::uint8_t>()[y * 128 + x] = ((x + y) % 2) ? 255 : 0;
  PreprocessConfig config;
  config.mean = {0, 0, 0};
  config.std = {1, 1, 1};
  auto out = preprocessImage(image, 16, config);
  ASSERT_TRUE(out.ok());
  for (int y = 1; y < 15; ++y)
    for (int x = 1; x < 15; ++x) EXPECT_NEAR(at(out.value(), 0, y, x), 0.5f, 0.02f);
}

TEST(Preprocessor, SixteenBitUsesDisplayWindow) {
  auto image = filled(8, 8, 1, core::PixelType::Int16);
  for (int i = 0; i < 64; ++i) image.pixels<std::int16_t>()[i] = 40;  // soft tissue-like HU
  image.displayWindow = core::WindowLevel{40.0, 400.0};               // window centre: maps to 0.5
  PreprocessConfig config;
  config.mean = {0, 0, 0};
  config.std = {1, 1, 1};
  auto out = preprocessImage(image, 8, config);
  ASSERT_TRUE(out.ok());
  EXPECT_NEAR(at(out.value(), 0, 4, 4), 0.5f, 1e-6);
}

PreprocessConfig identity(InputModality modality) {
  PreprocessConfig config;
  config.modality = modality;
  config.mean = {0, 0, 0};
  config.std = {1, 1, 1};
  return config;
}

// A 16-bit slice in HU: air (-1000) around, soft tissue (40 HU) in the middle, one metal
// pixel (3000 HU) in a corner.
core::Image2D huSlice() {
  auto image = filled(16, 16, 1, core::PixelType::Int16);
  auto* px = image.pixels<std::int16_t>();
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 16; ++x) px[y * 16 + x] = (x >= 4 && x < 12 && y >= 4 && y < 12) ? 40 : -1000;
  px[0] = 3000;
  return image;
}

// Issue 19: a CT in HU without a window of its own reached a model that takes any image
// stretched from its lowest to its highest value (soft tissue at 0.26 here), a picture no CT
// viewer shows and the bundled model's CT crops never were. Now: the mediastinal window,
// soft tissue at 0.5 and air black.
TEST(Preprocessor, AnyModelShowsAWindowlessCtThroughTheMediastinalWindow) {
  core::Image2D ct = huSlice();
  ct.modality = "CT";
  for (InputModality m : {InputModality::Any, InputModality::Grayscale}) {
    EXPECT_TRUE(rendersThroughCtWindows(ct, identity(m)));
    auto out = preprocessImage(ct, 16, identity(m));
    ASSERT_TRUE(out.ok()) << out.error().describe();
    EXPECT_NEAR(at(out.value(), 0, 8, 8), 0.5f, 1e-6);  // 40 HU at the centre of 40/400
    EXPECT_NEAR(at(out.value(), 1, 8, 8), 0.5f, 1e-6);
    EXPECT_NEAR(at(out.value(), 0, 1, 1), 0.0f, 1e-6);  // air
  }
  // No modality, but values that reach air and bone: a CT NIfTI, the same rendering.
  core::Image2D nifti = huSlice();
  auto out = preprocessImage(nifti, 16, identity(InputModality::Any));
  ASSERT_TRUE(out.ok());
  EXPECT_NEAR(at(out.value(), 0, 8, 8), 0.5f, 1e-6);
}

TEST(Preprocessor, AnyModelTakesItsOwnCtWindowAndTheFilesWindowFirst) {
  core::Image2D ct = huSlice();
  ct.modality = "CT";
  PreprocessConfig lung = identity(InputModality::Any);
  lung.ctWindows = {HuWindow{-600.0, 1500.0}};
  auto out = preprocessImage(ct, 16, lung);
  ASSERT_TRUE(out.ok());
  EXPECT_NEAR(at(out.value(), 0, 8, 8), (40.0 + 1350.0) / 1500.0, 1e-6);
  ct.displayWindow = core::WindowLevel{40.0, 80.0};  // the file's own (brain) window wins
  EXPECT_FALSE(rendersThroughCtWindows(ct, lung));
  out = preprocessImage(ct, 16, lung);
  ASSERT_TRUE(out.ok());
  EXPECT_NEAR(at(out.value(), 0, 8, 8), 0.5f, 1e-6);
  // A colour model never treats an image as a CT (and refuses one-channel images anyway).
  EXPECT_FALSE(rendersThroughCtWindows(huSlice(), identity(InputModality::Color)));
}

// An MR (or any windowless non-8-bit image that is not a CT) goes through the 0.5..99.5
// percentiles of its values, as the viewers open it: one hot pixel no longer darkens it.
TEST(Preprocessor, WindowlessNonCtImagesUseTheirPercentilesNotTheirExtremes) {
  core::Image2D mr = huSlice();
  mr.modality = "MR";
  EXPECT_FALSE(rendersThroughCtWindows(mr, identity(InputModality::Any)));
  auto out = preprocessImage(mr, 16, identity(InputModality::Any));
  ASSERT_TRUE(out.ok());
  EXPECT_NEAR(at(out.value(), 0, 8, 8), 1.0f, 1e-6);  // the brightest tissue, not 0.26
  EXPECT_NEAR(at(out.value(), 0, 1, 1), 0.0f, 1e-6);
  // 8 bits hold no Hounsfield units: a CT screenshot is shown as stored.
  auto shot = filled(4, 4, 1, core::PixelType::UInt8);
  shot.modality = "CT";
  EXPECT_FALSE(rendersThroughCtWindows(shot, identity(InputModality::Any)));
}

TEST(Preprocessor, RefusesEmptyImagesAndBadSettings) {
  EXPECT_FALSE(preprocessImage(core::Image2D{}, 224).ok());
  auto image = filled(8, 8, 3, core::PixelType::UInt8);
  EXPECT_FALSE(preprocessImage(image, 0).ok());
  PreprocessConfig bad;
  bad.std = {0.2f, 0.0f, 0.2f};
  EXPECT_FALSE(preprocessImage(image, 8, bad).ok());
}

}  // namespace
