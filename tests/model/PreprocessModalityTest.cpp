// Preprocessing per modality on real images read by Meridian's own readers (core/io, so
// this suite lives in test_model_io, which the model-only build does not have):
// CT windows to channels, and images of the wrong kind refused with a clear message.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "meridian/io/ImageSummary.hpp"
#include "meridian/io/ReaderRegistry.hpp"
#include "meridian/model/Preprocessor.hpp"
#include "meridian/model/VitModel.hpp"

using namespace meridian;
using namespace meridian::model;

namespace {

const std::filesystem::path kDemo = MERIDIAN_TEST_DEMO_DATA;

core::Image2D readImage(const std::string& name) {
  auto opened = io::ReaderRegistry::builtin().open(kDemo / name);
  EXPECT_TRUE(opened.ok()) << opened.error().describe();
  auto image = io::representativeImage(opened.value());
  EXPECT_TRUE(image.ok()) << image.error().describe();
  return std::move(image).value();
}

PreprocessConfig ctConfig(std::vector<HuWindow> windows) {
  PreprocessConfig c;
  c.modality = InputModality::CT;
  c.ctWindows = std::move(windows);
  c.mean = {0.0f, 0.0f, 0.0f};  // identity normalisation: outputs are the windowed values
  c.std = {1.0f, 1.0f, 1.0f};
  return c;
}

float windowed(double hu, const HuWindow& w) {
  return static_cast<float>(std::clamp((hu - (w.center - w.width / 2)) / w.width, 0.0, 1.0));
}

std::string errorOf(const core::Status& status) {
  return status.ok() ? std::string("(accepted)") : status.error().message;
}

TEST(PreprocessModality, CtSliceHoldsHounsfieldUnits) {
  // pydicom's CT_small.dcm: the peer (pydicom, rescale applied) gives -896 .. 1167 HU.
  const core::Image2D ct = readImage("ct-slice.dcm");
  ASSERT_EQ(ct.channels(), 1);
  EXPECT_EQ(ct.pixelType(), core::PixelType::Int16);
  EXPECT_EQ(ct.valueRange()[0], -896.0);
  EXPECT_EQ(ct.valueRange()[1], 1167.0);
}

TEST(PreprocessModality, ThreeCtWindowsBecomeThreeChannels) {
  const core::Image2D ct = readImage("ct-slice.dcm");
  const std::vector<HuWindow> windows = {*ctWindowPreset("lung"), *ctWindowPreset("mediastinum"),
                                         *ctWindowPreset("bone")};
  // Input size = image size (128): no resampling, so every pixel can be checked exactly.
  auto out = preprocessImage(ct, ct.width(), ctConfig(windows));
  ASSERT_TRUE(out.ok()) << out.error().describe();
  const auto& p = out.value();
  int lungOnlyDetail = 0;  // pixels the lung window resolves but the mediastinal one clips to 0
  for (int y = 0; y < ct.height(); ++y)
    for (int x = 0; x < ct.width(); ++x)
      for (int k = 0; k < 3; ++k) {
        const float got = p.chw[(static_cast<std::size_t>(k) * p.size + y) * p.size + x];
        ASSERT_NEAR(got, windowed(ct.valueAt(x, y), windows[static_cast<std::size_t>(k)]), 1e-6)
            << "channel " << k << " at " << x << "," << y;
        if (k == 0 && got > 0.0f && p.chw[(static_cast<std::size_t>(1) * p.size + y) * p.size + x] == 0.0f)
          ++lungOnlyDetail;
      }
  EXPECT_GT(lungOnlyDetail, 100);  // the channels really differ on this slice
}

TEST(PreprocessModality, OneCtWindowIsReplicatedAndResizingKeepsIt) {
  const core::Image2D ct = readImage("ct-slice.dcm");
  const HuWindow soft{40.0, 400.0};
  auto out = preprocessImage(ct, 64, ctConfig({soft}));  // downscaled 2x
  ASSERT_TRUE(out.ok()) << out.error().describe();
  const auto& p = out.value();
  const std::size_t plane = static_cast<std::size_t>(p.size) * p.size;
  for (std::size_t i = 0; i < plane; ++i) {
    ASSERT_EQ(p.chw[i], p.chw[plane + i]);
    ASSERT_EQ(p.chw[i], p.chw[2 * plane + i]);
  }
  // A 2x2 average of windowed HU (the triangle filter at scale 1/2 weighs 2x2 evenly).
  const int x = 20, y = 30;
  double mean = 0.0;
  for (int dy = 0; dy < 2; ++dy)
    for (int dx = 0; dx < 2; ++dx) mean += windowed(ct.valueAt(2 * x + dx, 2 * y + dy), soft) / 4.0;
  EXPECT_NEAR(p.chw[static_cast<std::size_t>(y) * p.size + x], mean, 1e-5);
}

TEST(PreprocessModality, WrongKindOfImageIsRefused) {
  const core::Image2D ct = readImage("ct-slice.dcm");
  const core::Image2D photo = readImage("fundus-retina.jpg");
  const core::Image2D mr = readImage("mr-brain.nii");
  PreprocessConfig ctModel = ctConfig({});
  PreprocessConfig pathology;
  pathology.modality = InputModality::Color;
  PreprocessConfig radiograph;
  radiograph.modality = InputModality::Grayscale;

  std::string message = errorOf(checkInputKind(photo, ctModel));
  EXPECT_NE(message.find("this model takes CT slices in Hounsfield units"), std::string::npos) << message;
  EXPECT_NE(message.find("3-channel"), std::string::npos) << message;
  EXPECT_FALSE(preprocessImage(photo, 224, ctModel).ok());

  message = errorOf(checkInputKind(ct, pathology));
  EXPECT_NE(message.find("this model takes colour images"), std::string::npos) << message;
  EXPECT_NE(message.find("1-channel"), std::string::npos) << message;

  message = errorOf(checkInputKind(photo, radiograph));
  EXPECT_NE(message.find("grayscale"), std::string::npos) << message;

  // An MR slice in a CT model: refused when the caller knows the study's modality.
  message = errorOf(checkInputKind(mr, ctModel, "MR"));
  EXPECT_NE(message.find("from a MR study"), std::string::npos) << message;

  // CT values shifted by +1024 (stored values without their rescale): no air, refused.
  core::Image2D shifted = ct;
  for (int i = 0; i < ct.width() * ct.height(); ++i) shifted.pixels<std::int16_t>()[i] += 1024;
  EXPECT_TRUE(checkInputKind(shifted, ctModel).ok()) << "the kind is right; the values are checked separately";
  message = errorOf(checkLooksLikeHounsfield(shifted.valueRange()[0], ctModel));
  EXPECT_NE(message.find("do not look like Hounsfield units"), std::string::npos) << message;
  EXPECT_TRUE(checkLooksLikeHounsfield(ct.valueRange()[0], ctModel).ok());
  EXPECT_TRUE(checkLooksLikeHounsfield(0.0, radiograph).ok()) << "only CT models look for air";

  // The right kinds pass.
  EXPECT_TRUE(checkInputKind(ct, ctModel, "CT").ok());
  EXPECT_TRUE(checkInputKind(ct, radiograph).ok());
  EXPECT_TRUE(checkInputKind(photo, pathology).ok());
  EXPECT_TRUE(checkInputKind(photo, PreprocessConfig{}).ok());  // "any"
}

TEST(PreprocessModality, CtModelRunsOnCtAndRefusesAPhotograph) {
  VitConfig c;
  c.imageSize = 64;
  c.patchSize = 16;
  c.embedDim = 48;
  c.depth = 2;
  c.heads = 3;
  c.numClasses = 2;
  PreprocessConfig pre = ctConfig({*ctWindowPreset("lung"), *ctWindowPreset("mediastinum"), *ctWindowPreset("bone")});
  auto model = VitModel::create(c, 21, pre).value();
  auto onCt = model->predict(readImage("ct-slice.dcm"));
  ASSERT_TRUE(onCt.ok()) << onCt.error().describe();
  EXPECT_EQ(onCt.value().probabilities.size(), 2u);
  auto onPhoto = model->predict(readImage("fundus-retina.jpg"));
  ASSERT_FALSE(onPhoto.ok());
  EXPECT_NE(onPhoto.error().message.find("CT slices"), std::string::npos);
}

// Issue 19: the bundled model (modality "any") sees pydicom's CT slice exactly as its labelled
// CT crops were rendered (packaging/bundled_model_data.py: HU through 40/400 into [0, 1]),
// not stretched from -896 to 1167 HU; before, it called the slice "MR".
TEST(PreprocessModality, AnyModelSeesTheCtSliceThroughTheCtWindowLikeItsCrops) {
  const core::Image2D ct = readImage("ct-slice.dcm");
  EXPECT_EQ(ct.modality, "CT");
  EXPECT_FALSE(ct.displayWindow.has_value());
  PreprocessConfig any;
  any.mean = {0.0f, 0.0f, 0.0f};
  any.std = {1.0f, 1.0f, 1.0f};
  auto out = preprocessImage(ct, ct.width(), any);  // same size: no resampling
  ASSERT_TRUE(out.ok()) << out.error().describe();
  const HuWindow mediastinum{40.0, 400.0};
  const std::size_t plane = static_cast<std::size_t>(ct.width()) * ct.height();
  for (int y = 0; y < ct.height(); y += 7)
    for (int x = 0; x < ct.width(); x += 5)
      for (int c = 0; c < 3; ++c)
        ASSERT_NEAR(out.value().chw[c * plane + static_cast<std::size_t>(y) * ct.width() + x],
                    windowed(ct.valueAt(x, y), mediastinum), 1e-5)
            << "pixel " << x << "," << y;
}

}  // namespace
