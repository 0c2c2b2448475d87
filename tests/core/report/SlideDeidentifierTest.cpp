// A whole slide's de-identified copy (issue 12: "slides exported without label and macro
// images"): an Aperio-layout SVS made by slide_with_label.py (skimage's real IHC image as the
// pyramid, a thumbnail, and a label and a macro image holding canaries), copied through
// report::deidentify (what `meridian-cli deid` runs) and through a project's de-identified
// export. OpenSlide (python3-openslide, the independent reader) must see the pyramid and the
// thumbnail, no label and no macro, level 0 pixel-identical; no canary byte may remain. The demo
// set's JPEG-tiled slide (generic TIFF, no associated images) is copied pixel-identical too.

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "meridian/project/ProjectImport.hpp"
#include "meridian/project/ProjectStore.hpp"
#include "meridian/report/DicomDeidentifier.hpp"
#include "meridian/report/ProjectExport.hpp"
#include "meridian/report/SlideDeidentifier.hpp"
#include "RunCommand.hpp"

namespace fs = std::filesystem;
using namespace meridian;

namespace {

const fs::path kOut = fs::path(MERIDIAN_TEST_OUTPUT) / "core-report" / "slide-deid";
const fs::path kScript = fs::path(MERIDIAN_TEST_SOURCE_DIR) / "slide_with_label.py";
const fs::path kDemoSlide = fs::path(MERIDIAN_TEST_DEMO_DATA) / "pathology-ihc-slide.tif";

std::string run(const std::string& command, int& rc) {
  return test::runCommand(command, rc, test::Stderr::Dropped);
}

std::string openSlideSees(const fs::path& original, const fs::path& copy) {
  int rc = -1;
  const std::string out =
      run("/usr/bin/python3 '" + kScript.string() + "' check '" + original.string() + "' '" + copy.string() + "'", rc);
  EXPECT_EQ(rc, 0) << out;
  return out;
}

std::string bytesOf(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

fs::path labelledSlide() {
  fs::create_directories(kOut);
  const fs::path svs = kOut / "with-label.svs";
  int rc = -1;
  const std::string out = run("/usr/bin/python3 '" + kScript.string() + "' make '" + svs.string() + "'", rc);
  EXPECT_EQ(rc, 0) << out;
  return svs;
}

}  // namespace

TEST(SlideDeidentifier, TheFixtureHasALabelAndAMacroForOpenSlide) {
  const fs::path svs = labelledSlide();
  const std::string seen = openSlideSees(svs, svs);
  EXPECT_NE(seen.find("vendor aperio"), std::string::npos) << seen;
  EXPECT_NE(seen.find("associated label,macro,thumbnail"), std::string::npos) << seen;
  EXPECT_NE(bytesOf(svs).find("CANARY"), std::string::npos);
}

TEST(SlideDeidentifier, DeidentifyDropsLabelAndMacroAndKeepsThePyramidExactly) {
  const fs::path svs = labelledSlide();
  const fs::path copy = kOut / "deid.svs";
  fs::remove(copy);
  auto done = report::deidentify(svs, copy, {});
  ASSERT_TRUE(done) << done.error().message;
  ASSERT_EQ(done.value().written.size(), 1u);
  const std::string seen = openSlideSees(svs, copy);
  EXPECT_NE(seen.find("vendor aperio"), std::string::npos) << seen;
  EXPECT_NE(seen.find("levels 2"), std::string::npos) << seen;
  EXPECT_NE(seen.find("associated thumbnail\n"), std::string::npos) << "label or macro left: " << seen;
  EXPECT_NE(seen.find("level0 identical"), std::string::npos) << seen;
  EXPECT_NE(seen.find("mpp 0.5"), std::string::npos) << "the scan's resolution is not identifying: " << seen;
  EXPECT_EQ(bytesOf(copy).find("CANARY"), std::string::npos) << "a canary survived in " << copy;

  auto summary = report::writeSlideWithoutLabel(svs, kOut / "direct.svs");
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary.value().dropped, (std::vector<std::string>{"label (directory 3)", "macro (directory 4)"}));
  EXPECT_EQ(summary.value().directoriesKept, 3u);
  EXPECT_EQ(summary.value().descriptionFieldsRemoved, 4u);  // Filename, Date, Time, User
}

TEST(SlideDeidentifier, AJpegTiledSlideIsCopiedPixelIdentical) {
  const fs::path copy = kOut / "demo-slide.tif";
  fs::create_directories(kOut);
  fs::remove(copy);
  auto done = report::writeSlideWithoutLabel(kDemoSlide, copy);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_TRUE(done.value().dropped.empty());
  const std::string seen = openSlideSees(kDemoSlide, copy);
  EXPECT_NE(seen.find("level0 identical"), std::string::npos) << seen;
}

TEST(SlideDeidentifier, RefusesWhatIsNotATiffAndNeverReplacesItsInput) {
  const fs::path svs = labelledSlide();
  const std::string before = bytesOf(svs);
  auto same = report::writeSlideWithoutLabel(svs, svs);
  EXPECT_FALSE(same);
  EXPECT_EQ(bytesOf(svs), before);
  const fs::path text = kOut / "not-a-slide.tif";
  std::ofstream(text) << "hello";
  auto refused = report::writeSlideWithoutLabel(text, kOut / "never.tif");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::Unsupported);
  EXPECT_FALSE(fs::exists(kOut / "never.tif"));
}

TEST(SlideDeidentifier, AProjectsDeidentifiedExportCarriesTheSlideWithoutItsLabel) {
  const fs::path svs = labelledSlide();
  const fs::path folder = kOut / "project";
  fs::remove_all(folder);
  auto store = project::ProjectStore::create(folder);
  ASSERT_TRUE(store) << store.error().message;
  auto imported = project::importIntoProject(*store.value(), {svs});
  ASSERT_TRUE(imported) << imported.error().message;
  ASSERT_EQ(imported.value().added.size(), 1u);
  report::ProjectExportRequest request;
  request.format = report::ExportFormat::Deid;
  request.output = kOut / "project-deid";
  fs::remove_all(request.output);
  auto exported = report::exportProject(*store.value(), request);
  ASSERT_TRUE(exported) << exported.error().message;
  ASSERT_EQ(exported.value().written.size(), 1u);
  const fs::path copy = exported.value().written.front();
  EXPECT_EQ(copy.filename(), "case-" + std::to_string(imported.value().added.front()) + ".svs");
  const std::string seen = openSlideSees(svs, copy);
  EXPECT_NE(seen.find("associated thumbnail\n"), std::string::npos) << seen;
  EXPECT_EQ(bytesOf(copy).find("CANARY"), std::string::npos);
}
