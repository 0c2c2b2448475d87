// What the Files panel lists (ui/FolderListing.hpp), without a window: the demo folder's
// files then its series, and a DICOM file that could not join a series flagged as such.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "CutShortDicomFolder.hpp"
#include "meridian/ui/FolderListing.hpp"

namespace fs = std::filesystem;
using namespace meridian;

namespace {
const fs::path kDemo = MERIDIAN_TEST_DEMO_DATA;
const fs::path kPydicom = "/usr/lib/python3/dist-packages/pydicom/data/test_files";
}  // namespace

TEST(FolderListing, TheDemoFolderListsFilesThenSeries) {
  auto listing = ui::listFolder(kDemo);
  ASSERT_TRUE(listing.ok()) << listing.error().message;
  const auto& entries = listing.value().entries;
  ASSERT_EQ(entries.size(), 9u);
  EXPECT_EQ(entries.front().label, "ct-abdomen-stent.nii.gz");
  EXPECT_EQ(entries.front().kind, ui::FolderEntry::Kind::File);
  std::size_t series = 0;
  for (const auto& e : entries) series += e.kind == ui::FolderEntry::Kind::Series;
  EXPECT_EQ(series, listing.value().series.size());
  EXPECT_EQ(series, 4u);
  EXPECT_EQ(listing.value().warnings(), 0u) << "every demo DICOM file joins a series";
}

TEST(FolderListing, SeriesLabelsNameModalityDescriptionAndCount) {
  auto listing = ui::listFolder(kPydicom / "dicomdirtests/77654033");
  ASSERT_TRUE(listing.ok());
  bool found = false;
  for (const auto& e : listing.value().entries) found |= e.label == "CT · Routine Brain (4 images)";
  EXPECT_TRUE(found);
}

// A folder with a good CT slice and a DICOM file whose header cannot be indexed (pydicom's
// truncated MR, cut short on purpose): the good one is a series, the other is listed with
// a warning, not as a plain file.
TEST(FolderListing, AFileThatFailedToJoinASeriesCarriesAWarning) {
  const fs::path dir = fs::temp_directory_path() / "meridian-folder-listing-test";
  test::makeCutShortDicomFolder(dir);  // the header cut inside the meta group
  auto listing = ui::listFolder(dir);
  ASSERT_TRUE(listing.ok()) << listing.error().message;
  const ui::FolderEntry* cut = nullptr;
  for (const auto& e : listing.value().entries)
    if (e.label == "b-cut-short.dcm") cut = &e;
  ASSERT_NE(cut, nullptr) << "the cut file is not listed at all";
  EXPECT_NE(cut->warning.find("not in any DICOM series"), std::string::npos) << cut->warning;
  // Two warnings: the cut file's own entry, and the one series, which counts the damaged
  // DICOM file in its folder against itself (io::indexDicomFolder: never silently complete).
  EXPECT_EQ(listing.value().warnings(), 2u);
  EXPECT_EQ(listing.value().series.size(), 1u);
  fs::remove_all(dir);
}

TEST(FolderListing, AFolderWithNothingReadableIsNotFound) {
  const fs::path dir = fs::temp_directory_path() / "meridian-folder-listing-empty";
  fs::create_directories(dir);
  std::ofstream(dir / "notes.txt") << "no images here";
  auto listing = ui::listFolder(dir);
  ASSERT_FALSE(listing.ok());
  EXPECT_EQ(listing.error().code, core::ErrorCode::NotFound);
  fs::remove_all(dir);
}

// pydicom's CT5N series with one slice removed (the fixture of app.cli_incomplete_series):
// the series is marked, the tooltip names the missing position in mm and the count.
TEST(FolderListing, ASeriesWithAMissingSliceCarriesAWarningNamingWhere) {
  const fs::path dir = fs::temp_directory_path() / "meridian-folder-listing-gap";
  fs::remove_all(dir);
  fs::copy(kPydicom / "dicomdirtests/98892001/CT5N", dir);
  fs::remove(dir / "2693");  // z = 3.7625 mm, between 1.2625 and 6.2625
  auto listing = ui::listFolder(dir);
  ASSERT_TRUE(listing.ok()) << listing.error().message;
  ASSERT_EQ(listing.value().entries.size(), 1u);
  const auto& entry = listing.value().entries.front();
  EXPECT_EQ(entry.kind, ui::FolderEntry::Kind::Series);
  EXPECT_NE(entry.warning.find("incomplete series: 1 slice missing"), std::string::npos) << entry.warning;
  EXPECT_NE(entry.warning.find("3.7625) mm"), std::string::npos) << entry.warning;
  EXPECT_EQ(entry.warning.find("cannot be read"), std::string::npos) << entry.warning;
  // The whole series is complete: no warning.
  fs::remove_all(dir);
  fs::copy(kPydicom / "dicomdirtests/98892001/CT5N", dir);
  auto whole = ui::listFolder(dir);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole.value().warnings(), 0u) << whole.value().entries.front().warning;
  fs::remove_all(dir);
}

// pydicom's CT2 series has a 202.5 mm gap at 1.25 mm spacing: 161 positions, 8 listed.
TEST(FolderListing, ManyMissingSlicesAreCountedAndTheFirstListed) {
  auto listing = ui::listFolder(kPydicom / "dicomdirtests/77654033/CT2");
  ASSERT_TRUE(listing.ok()) << listing.error().message;
  ASSERT_EQ(listing.value().warnings(), 1u);
  std::string warning;
  for (const auto& e : listing.value().entries) warning += e.warning;
  EXPECT_NE(warning.find("161 slices missing"), std::string::npos) << warning;
  EXPECT_NE(warning.find("… and 153 more"), std::string::npos) << warning;
  std::size_t lines = 0;
  for (char c : warning) lines += c == '\n';
  EXPECT_EQ(lines, 9u) << warning;  // 8 positions and the "more" line
}
