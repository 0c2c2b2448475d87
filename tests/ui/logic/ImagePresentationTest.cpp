// Which presentation a 2D image opens with and which the window menu offers
// (viewers/ImagePresentation.hpp), without a window: the first VOI LUT, else the first
// stored window, else the data's window; VOI LUTs named by their explanation. Real files
// where the rule meets the reader (pydicom's MR_small has a stored window, CT_small none).

#include <gtest/gtest.h>

#include <filesystem>

#include "meridian/core/LookupTable.hpp"
#include "meridian/io/ReaderRegistry.hpp"
#include "meridian/viewers/ImagePresentation.hpp"

using namespace meridian;
using viewers::PresentationChoice;
using Kind = viewers::PresentationChoice::Kind;

namespace {

const std::filesystem::path kPydicom = "/usr/lib/python3/dist-packages/pydicom/data/test_files";

core::Image2D ramp(int width = 16, int height = 4) {
  core::Image2D image = core::Image2D::allocate(width, height, 1, core::PixelType::Int16).value();
  for (int i = 0; i < width * height; ++i) image.pixels<std::int16_t>()[i] = static_cast<std::int16_t>(i * 10 - 100);
  image.photometric = "MONOCHROME2";
  return image;
}

core::LookupTable table(std::string explanation, int bits, int first, std::size_t entries) {
  core::LookupTable lut;
  lut.explanation = std::move(explanation);
  lut.bits = bits;
  lut.firstMapped = first;
  for (std::size_t i = 0; i < entries; ++i) lut.entries.push_back(static_cast<std::uint16_t>(entries - 1 - i));
  return lut;
}

std::vector<std::string> labels(const std::vector<PresentationChoice>& choices) {
  std::vector<std::string> out;
  for (const auto& c : choices) out.push_back(c.label);
  return out;
}

core::Image2D openImage(const std::filesystem::path& file) {
  auto opened = io::ReaderRegistry::builtin().open(file);
  EXPECT_TRUE(opened.ok()) << file;
  return opened.ok() ? std::get<core::Image2D>(opened.value().content) : core::Image2D();
}

}  // namespace

TEST(ImagePresentation, TheFirstVoiLutAppliesAndEveryLutAndWindowIsOffered) {
  core::Image2D image = ramp();
  image.voiLuts = {table("SOFT", 12, -100, 200), table("", 8, 0, 50)};
  image.windows = {{40, 400}, {-600, 1500}};
  const auto choices = viewers::presentationChoices(image);
  EXPECT_EQ(labels(choices), (std::vector<std::string>{"SOFT", "VOI LUT 2", "Window 1  (L 40 / W 400)",
                                                       "Window 2  (L -600 / W 1500)", "Free window/level"}));
  ASSERT_EQ(choices.size(), 5u);
  EXPECT_EQ(choices[1].kind, Kind::VoiLut);
  EXPECT_EQ(choices[1].index, 1u);
  EXPECT_EQ(choices[3].kind, Kind::StoredWindow);
  EXPECT_EQ(choices[3].index, 1u);
  EXPECT_EQ(viewers::initialPresentation(choices), 0u);
}

TEST(ImagePresentation, WithoutAVoiLutTheFirstStoredWindowApplies) {
  // Choices in an order a reader might produce: the rule looks for the kind, not the position.
  std::vector<PresentationChoice> choices{{Kind::Free, 0, "Free window/level"}, {Kind::StoredWindow, 1, "B"},
                                          {Kind::StoredWindow, 0, "A"}};
  EXPECT_EQ(viewers::initialPresentation(choices), 1u);
  choices.push_back({Kind::VoiLut, 0, "LUT"});
  EXPECT_EQ(viewers::initialPresentation(choices), 3u);
  EXPECT_EQ(viewers::initialPresentation({{Kind::Free, 0, "Free window/level"}}), 0u);
}

TEST(ImagePresentation, AVoiLutIsShownAsItsOutputOverItsWholeRange) {
  core::Image2D image = ramp();
  image.voiLuts = {table("INVERSE", 12, -100, 200), table("8 BIT", 8, 0, 50)};
  const auto choices = viewers::presentationChoices(image);
  auto shown = viewers::presentImage(image, choices[0]);
  ASSERT_TRUE(shown.ok()) << shown.error().message;
  ASSERT_TRUE(shown.value().lutOutput.has_value());
  const auto expected = core::applyLookupTable(image, image.voiLuts[0]).value();
  const core::Image2D& out = *shown.value().lutOutput;
  ASSERT_EQ(out.sizeInBytes(), expected.sizeInBytes());
  EXPECT_TRUE(std::equal(out.data(), out.data() + out.sizeInBytes(), expected.data()));
  EXPECT_EQ(out.valueAt(0, 0), 199.0);  // value -100 is the table's first entry
  ASSERT_TRUE(shown.value().window.has_value());
  EXPECT_DOUBLE_EQ(shown.value().window->center, 4095.0 / 2);
  EXPECT_DOUBLE_EQ(shown.value().window->width, 4095.0);
  auto eight = viewers::presentImage(image, choices[1]);
  ASSERT_TRUE(eight.ok());
  EXPECT_DOUBLE_EQ(eight.value().window->width, 255.0);
}

TEST(ImagePresentation, AStoredWindowIsShownOnTheImageItselfAndFreeKeepsTheViewersWindow) {
  core::Image2D image = ramp();
  image.windows = {{40, 400}, {-600, 1500}};
  const auto choices = viewers::presentationChoices(image);
  ASSERT_EQ(choices.size(), 3u);
  auto lung = viewers::presentImage(image, choices[1]);
  ASSERT_TRUE(lung.ok());
  EXPECT_FALSE(lung.value().lutOutput.has_value());
  EXPECT_DOUBLE_EQ(lung.value().window->center, -600.0);
  EXPECT_DOUBLE_EQ(lung.value().window->width, 1500.0);
  auto freeChoice = viewers::presentImage(image, choices[2]);
  ASSERT_TRUE(freeChoice.ok());
  EXPECT_FALSE(freeChoice.value().lutOutput.has_value());
  EXPECT_FALSE(freeChoice.value().window.has_value());
}

TEST(ImagePresentation, AChoiceTheImageDoesNotHaveIsRefusedWithTheReason) {
  core::Image2D image = ramp();
  auto missing = viewers::presentImage(image, {Kind::VoiLut, 0, "LUT"});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("no VOI LUT 1"), std::string::npos) << missing.error().message;
  EXPECT_FALSE(viewers::presentImage(image, {Kind::StoredWindow, 2, "W"}).ok());
}

TEST(ImagePresentation, AColourImageOffersOnlyTheFreeWindow) {
  core::Image2D image = core::Image2D::allocate(8, 8, 3, core::PixelType::UInt8).value();
  image.windows = {{128, 256}};
  EXPECT_EQ(labels(viewers::presentationChoices(image)), std::vector<std::string>{"Free window/level"});
}

TEST(ImagePresentation, RealFilesWithAndWithoutAStoredWindow) {
  const auto mr = openImage(kPydicom / "MR_small.dcm");  // Window Center 600, Width 1600, no explanation
  const auto mrChoices = viewers::presentationChoices(mr);
  EXPECT_EQ(labels(mrChoices), (std::vector<std::string>{"Window 1  (L 600 / W 1600)", "Free window/level"}));
  EXPECT_EQ(viewers::initialPresentation(mrChoices), 0u);
  const auto ct = openImage(kPydicom / "CT_small.dcm");  // no window, no VOI LUT
  const auto ctChoices = viewers::presentationChoices(ct);
  ASSERT_EQ(ctChoices.size(), 1u);
  EXPECT_EQ(ctChoices[viewers::initialPresentation(ctChoices)].kind, Kind::Free);
}
