// The rest of the window's Qt-free logic: which viewer shows what (ContentRouting), the
// Image panel's rows (ImageInfo), the status readout per viewer (StatusReadout) and the
// memory figure of the status bar (ProcessMemory).

#include <gtest/gtest.h>

#include <filesystem>

#include "meridian/io/ImageSummary.hpp"
#include "meridian/io/ReaderRegistry.hpp"
#include "meridian/ui/ContentRouting.hpp"
#include "meridian/ui/ImageInfo.hpp"
#include "meridian/ui/ProcessMemory.hpp"
#include "meridian/ui/StatusReadout.hpp"

namespace fs = std::filesystem;
using namespace meridian;
using viewers::ViewerKind;

namespace {
const fs::path kDemo = MERIDIAN_TEST_DEMO_DATA;
io::OpenedImage openDemo(const char* name) {
  auto opened = io::ReaderRegistry::builtin().open(kDemo / name);
  EXPECT_TRUE(opened.ok()) << name;
  return std::move(opened).value();
}
}  // namespace

TEST(ContentRouting, EachDemoKindGoesToItsViewer) {
  EXPECT_EQ(ui::viewerFor(openDemo("ct-abdomen-stent.nii.gz")), ViewerKind::Volume);
  EXPECT_EQ(ui::viewerFor(openDemo("mr-brain.nii")), ViewerKind::Volume);
  EXPECT_EQ(ui::viewerFor(openDemo("fundus-retina.jpg")), ViewerKind::Image2D);
  EXPECT_EQ(ui::viewerFor(openDemo("ct-slice.dcm")), ViewerKind::Image2D);
  EXPECT_EQ(ui::viewerFor(openDemo("pathology-ihc-slide.tif")), ViewerKind::Slide);
  const auto cine = openDemo("us-echo-cine.dcm");  // colour frames: browsed in the 2D viewer
  EXPECT_EQ(ui::viewerFor(cine), ViewerKind::Image2D);
  EXPECT_TRUE(ui::isFrameStack(cine));
  EXPECT_FALSE(ui::isFrameStack(openDemo("ct-abdomen-stent.nii.gz")));
}

TEST(ImageInfo, ASlideListsItsPyramidAndWhyThereIsNoMagnification) {
  const auto slide = openDemo("pathology-ihc-slide.tif");
  const ui::InfoRows rows = ui::describeImage(kDemo / "pathology-ihc-slide.tif", io::summarize(slide));
  const auto has = [&](const std::string& key, const std::string& value) {
    for (const auto& row : rows)
      if (row.first == key && row.second == value) return true;
    return false;
  };
  EXPECT_TRUE(has("File", "pathology-ihc-slide.tif"));
  EXPECT_TRUE(has("Kind", "slide"));
  EXPECT_TRUE(has("Level 4", "256 × 256 (÷16)"));
  EXPECT_TRUE(has("Scan magnification", "unknown (no µm per pixel recorded)"));
}

TEST(ImageInfo, ASeriesIsHeadedByItsDescriptionAndListsItsWarnings) {
  io::DicomSeriesInfo series;
  series.seriesDescription = "Routine Brain";
  series.patientName = "Test^Patient";
  series.patientId = "77654033";
  series.studyDate = "20010101";
  series.files = {kDemo / "ct-slice.dcm"};
  const ui::InfoRows rows =
      ui::describeSeries(series, io::summarize(openDemo("ct-slice.dcm")), {"irregular slice spacing"});
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows.front(), (std::pair<std::string, std::string>{"Series", "Routine Brain"}));
  EXPECT_EQ(rows.back(), (std::pair<std::string, std::string>{"Warning", "irregular slice spacing"}));
}

// The bug this fixes: after switching from a volume to a slide the status bar still showed
// the volume's "LPS (...) voxel (...) L/W" readout.
TEST(StatusReadout, OnlyTheViewerOnScreenIsDescribed) {
  ui::StatusReadout readout;
  readout.setCurrent(ViewerKind::Volume);
  readout.update(ViewerKind::Volume, "LPS (1.0, 2.0, 3.0) mm   voxel (4, 5, 6)   value 40   L 40 / W 400");
  EXPECT_NE(readout.text().find("LPS"), std::string::npos);
  readout.setCurrent(ViewerKind::Slide);
  EXPECT_EQ(readout.text(), "") << "the volume's readout stayed over the slide";
  readout.update(ViewerKind::Volume, "LPS (9.0, 9.0, 9.0) mm");  // a hidden viewer's update is kept, not shown
  EXPECT_EQ(readout.text(), "");
  readout.setCurrent(ViewerKind::Volume);
  EXPECT_EQ(readout.text(), "LPS (9.0, 9.0, 9.0) mm");
  readout.forget(ViewerKind::Volume);
  EXPECT_EQ(readout.text(), "");
}

TEST(ProcessMemory, ReportsWhatThisProcessHolds) {
  const auto before = ui::residentBytes();
  EXPECT_GT(before, 1u << 20) << "a test process holds more than 1 MB";
  std::vector<char> block(64u << 20, 1);  // touched: resident
  EXPECT_GE(ui::residentBytes(), before + (32u << 20));
  EXPECT_EQ(block[block.size() / 2], 1);
  EXPECT_EQ(ui::formatBytes(356u << 20), "356 MB");
  EXPECT_EQ(ui::formatBytes(1288490189u), "1.2 GB");
}
