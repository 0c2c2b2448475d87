// How a volume first appears (viewers/InitialDisplay.hpp): a head CT in the brain window,
// an MR as a MIP with its own window -- never an MR in "CT bone" or a head CT at a
// percentile window such as L 185 / W 2417. Driven on the rules and on real series.

#include <gtest/gtest.h>

#include <filesystem>

#include "meridian/io/DicomSeries.hpp"
#include "meridian/io/ReaderRegistry.hpp"
#include "meridian/ui/ContentRouting.hpp"
#include "meridian/viewers/InitialDisplay.hpp"

using namespace meridian;
using viewers::BodyRegion;
using viewers::Volume3DPreset;

namespace {
const std::filesystem::path kDemo = MERIDIAN_TEST_DEMO_DATA;
const std::filesystem::path kPydicom = "/usr/lib/python3/dist-packages/pydicom/data/test_files/dicomdirtests";
}  // namespace

TEST(InitialDisplay, BodyRegionFromDescriptions) {
  EXPECT_EQ(viewers::bodyRegionFromText("Routine Brain"), BodyRegion::Head);
  EXPECT_EQ(viewers::bodyRegionFromText("HEAD AND NECK"), BodyRegion::Head);
  EXPECT_EQ(viewers::bodyRegionFromText("CT THORAX W/O"), BodyRegion::Chest);
  EXPECT_EQ(viewers::bodyRegionFromText("abd/pelvis"), BodyRegion::Abdomen);
  EXPECT_EQ(viewers::bodyRegionFromText("L ANKLE"), BodyRegion::Extremity);
  EXPECT_EQ(viewers::bodyRegionFromText("Series 3"), BodyRegion::Unknown);
  EXPECT_EQ(viewers::bodyRegionFromText(""), BodyRegion::Unknown);
}

TEST(InitialDisplay, CtGetsThePresetOfItsBodyPart) {
  const auto head = viewers::chooseInitialDisplay("CT", BodyRegion::Head, {-1024, 2400});
  ASSERT_TRUE(head.window.has_value());
  EXPECT_DOUBLE_EQ(head.window->center, 40);
  EXPECT_DOUBLE_EQ(head.window->width, 80);
  EXPECT_EQ(head.windowPreset, "Brain");
  EXPECT_EQ(head.preset3D, Volume3DPreset::CtBone);
  EXPECT_EQ(viewers::chooseInitialDisplay("CT", BodyRegion::Chest, {-1024, 2400}).windowPreset, "Lung");
  EXPECT_EQ(viewers::chooseInitialDisplay("CT", BodyRegion::Abdomen, {-1024, 2400}).windowPreset, "Abdomen");
  EXPECT_EQ(viewers::chooseInitialDisplay("CT", BodyRegion::Extremity, {-1024, 2400}).windowPreset, "Bone");
  // Body part unknown: the data's own window, still the CT look in 3D.
  const auto unknown = viewers::chooseInitialDisplay("CT", BodyRegion::Unknown, {-1024, 2400});
  EXPECT_FALSE(unknown.window.has_value());
  EXPECT_EQ(unknown.preset3D, Volume3DPreset::CtBone);
}

TEST(InitialDisplay, MrAndOtherNonHuVolumesAreShownAsAMipWithTheirOwnWindow) {
  for (const char* modality : {"MR", "PT", "US"}) {
    const auto mr = viewers::chooseInitialDisplay(modality, BodyRegion::Head, {0, 1200});
    EXPECT_FALSE(mr.window.has_value()) << modality;
    EXPECT_EQ(mr.preset3D, Volume3DPreset::Mip) << modality;
    EXPECT_FALSE(mr.treatedAsCt);
  }
  // No modality (NIfTI): values reaching air and bone in HU count as CT, others do not.
  EXPECT_TRUE(viewers::chooseInitialDisplay("", BodyRegion::Unknown, {-1024, 1500}).treatedAsCt);
  EXPECT_FALSE(viewers::chooseInitialDisplay("", BodyRegion::Unknown, {0, 255}).treatedAsCt);
}

// The demo's MR head (NIfTI, no modality recorded): intensities, not HU -> MIP.
TEST(InitialDisplay, TheDemoMrHeadIsNotRenderedAsCtBone) {
  auto mr = io::ReaderRegistry::builtin().open(kDemo / "mr-brain.nii");
  ASSERT_TRUE(mr.ok()) << mr.error().message;
  const auto& volume = std::get<core::Volume>(mr.value().content);
  const auto range = volume.valueRange();
  const auto display = viewers::chooseInitialDisplay(volume.modality, BodyRegion::Unknown,
                                                     {range[0] * volume.rescaleSlope + volume.rescaleIntercept,
                                                      range[1] * volume.rescaleSlope + volume.rescaleIntercept});
  EXPECT_EQ(display.preset3D, Volume3DPreset::Mip) << "range " << range[0] << ".." << range[1];
}

// pydicom's "Routine Brain" CT series: a head CT by its description -> the brain window.
TEST(InitialDisplay, TheRoutineBrainSeriesIsAHeadCt) {
  auto series = io::indexDicomFolder(kPydicom / "77654033");
  ASSERT_TRUE(series.ok()) << series.error().message;
  const io::DicomSeriesInfo* brain = nullptr;
  for (const auto& s : series.value())
    if (s.modality == "CT") brain = &s;
  ASSERT_NE(brain, nullptr);
  EXPECT_EQ(ui::bodyRegionOf(*brain), BodyRegion::Head);
  const auto display = viewers::chooseInitialDisplay(brain->modality, ui::bodyRegionOf(*brain), {-1024, 2000});
  EXPECT_EQ(display.windowPreset, "Brain");
}
