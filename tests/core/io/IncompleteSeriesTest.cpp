// A series never silently loses a slice: real series (pydicom's CT5N, the demo CT) copied
// with one file removed, one truncated and one padded. Removed and truncated make the series
// incomplete (the index, inspectDicomSeries, loadDicomSeries and openInput all say which
// file and where); padded reads as the original. Before issue 13 the truncated file simply
// vanished from the index and the series loaded one slice short without a word.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>

#include "TestData.hpp"
#include "meridian/io/DicomSeries.hpp"
#include "meridian/io/InputOpener.hpp"

namespace fs = std::filesystem;
using namespace meridian;

namespace {

const fs::path kCt5 = testdata::kPydicom / "dicomdirtests" / "98892001" / "CT5N";
const fs::path kDemoCt = fs::path(testdata::kDemo) / "ct-abdomen-stent-dicom";

std::string readAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A copy of a series folder; returns the copies' paths sorted along z (slice order).
std::vector<fs::path> copySeries(const fs::path& from, const fs::path& to) {
  fs::remove_all(to);
  fs::create_directories(to);
  for (const auto& e : fs::directory_iterator(from)) fs::copy_file(e.path(), to / e.path().filename());
  auto index = io::indexDicomFolder(to);
  EXPECT_TRUE(index.ok() && index.value().size() == 1);
  auto layout = io::inspectDicomSeries(index.value().front());
  EXPECT_TRUE(layout.ok());
  return layout.value().orderedFiles;
}

struct Variant {
  fs::path dir;
  fs::path touched;  // the removed, truncated or padded file
  std::array<double, 3> position{};
};

enum class Damage { Remove, Truncate, Pad };

Variant damaged(const fs::path& source, const std::string& name, Damage damage) {
  Variant v;
  v.dir = fs::path(testing::TempDir()) / ("meridian-incomplete-" + name);
  const auto ordered = copySeries(source, v.dir);
  v.touched = ordered[ordered.size() / 2];  // a middle slice: its absence leaves a gap
  auto whole = io::loadDicomSeries(io::indexDicomFolder(v.dir).value().front());
  EXPECT_TRUE(whole.ok());
  v.position = whole.value().volume.indexToPhysical({0, 0, static_cast<double>(ordered.size() / 2)});
  const std::string bytes = readAll(v.touched);
  switch (damage) {
    case Damage::Remove: fs::remove(v.touched); break;
    case Damage::Truncate: std::ofstream(v.touched, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() - 300); break;
    case Damage::Pad: std::ofstream(v.touched, std::ios::binary | std::ios::app) << std::string(2500000, '\0'); break;
  }
  return v;
}

void expectMissingAt(const std::vector<std::array<double, 3>>& missing, const std::array<double, 3>& where) {
  ASSERT_EQ(missing.size(), 1u);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(missing[0][i], where[i], 1e-3);
}

}  // namespace

class IncompleteSeries : public testing::TestWithParam<fs::path> {};

TEST_P(IncompleteSeries, ARemovedSliceLeavesAReportedGap) {
  const std::string tag = GetParam() == kCt5 ? "ct5" : "demo";
  const auto v = damaged(GetParam(), tag + "-removed", Damage::Remove);
  auto layout = io::inspectDicomSeries(io::indexDicomFolder(v.dir).value().front());
  ASSERT_TRUE(layout.ok()) << layout.error().describe();
  EXPECT_FALSE(layout.value().complete());
  EXPECT_TRUE(layout.value().unreadable.empty());
  expectMissingAt(layout.value().missingPositions, v.position);
  // Loading still works (the window shows it, with the warning first).
  auto loaded = io::loadDicomSeries(io::indexDicomFolder(v.dir).value().front());
  ASSERT_TRUE(loaded.ok());
  EXPECT_FALSE(loaded.value().complete());
  ASSERT_FALSE(loaded.value().warnings.empty());
  EXPECT_NE(loaded.value().warnings.front().find("1 slice is missing"), std::string::npos) << loaded.value().warnings.front();
  // openInput refuses it unless allowed.
  auto refused = io::openInput(v.dir);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, core::ErrorCode::Corrupt);
  EXPECT_NE(refused.error().message.find("incomplete series"), std::string::npos) << refused.error().message;
  io::OpenInputOptions allow;
  allow.allowIncomplete = true;
  auto allowed = io::openInput(v.dir, allow);
  ASSERT_TRUE(allowed.ok()) << allowed.error().describe();
  EXPECT_TRUE(allowed.value().incompleteAccepted);
  ASSERT_TRUE(allowed.value().series.has_value());
  expectMissingAt(allowed.value().series->layout->missingPositions, v.position);
}

TEST_P(IncompleteSeries, ATruncatedSliceIsReportedByNameAndReason) {
  const std::string tag = GetParam() == kCt5 ? "ct5" : "demo";
  const auto v = damaged(GetParam(), tag + "-truncated", Damage::Truncate);
  auto index = io::indexDicomFolderReport(v.dir);
  ASSERT_TRUE(index.ok());
  ASSERT_EQ(index.value().series.size(), 1u);
  const auto& series = index.value().series.front();
  // The old index dropped the file without a word: it is now the series' unreadable member.
  ASSERT_EQ(series.unreadable.size(), 1u);
  EXPECT_EQ(series.unreadable[0].file, v.touched);
  EXPECT_NE(series.unreadable[0].reason.find("truncated"), std::string::npos) << series.unreadable[0].reason;
  auto listing = io::listInput(v.dir);
  ASSERT_TRUE(listing.ok());
  ASSERT_EQ(listing.value().series.size(), 1u);
  const auto& entry = listing.value().series.front();
  EXPECT_FALSE(entry.complete());
  ASSERT_EQ(entry.unreadable().size(), 1u);
  expectMissingAt(entry.layout->missingPositions, v.position);
  auto refused = io::openInput(v.dir);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find(v.touched.filename().string()), std::string::npos) << refused.error().message;
}

TEST_P(IncompleteSeries, APaddedSliceReadsAsTheOriginal) {
  const std::string tag = GetParam() == kCt5 ? "ct5" : "demo";
  const auto v = damaged(GetParam(), tag + "-padded", Damage::Pad);
  auto opened = io::openInput(v.dir);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  EXPECT_FALSE(opened.value().incompleteAccepted);
  EXPECT_TRUE(opened.value().series->complete());
  auto original = io::openInput(GetParam());
  ASSERT_TRUE(original.ok());
  const auto& a = std::get<core::Volume>(opened.value().image.content);
  const auto& b = std::get<core::Volume>(original.value().image.content);
  ASSERT_EQ(a.size(), b.size());
  ASSERT_EQ(a.pixelType(), b.pixelType());
  EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.sizeInBytes()));
}

INSTANTIATE_TEST_SUITE_P(RealSeries, IncompleteSeries, testing::Values(kCt5, kDemoCt));

TEST(InputOpener, AFolderWithSeveralSeriesAsksWhichOne) {
  auto r = io::openInput(testdata::kPydicom / "dicomdirtests" / "77654033");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::InvalidArgument);
  EXPECT_NE(r.error().message.find("choose one"), std::string::npos) << r.error().message;
}

TEST(InputOpener, ListingGivesEachSeriesItsGeometry) {
  auto listing = io::listInput(kCt5);
  ASSERT_TRUE(listing.ok());
  ASSERT_EQ(listing.value().series.size(), 1u);
  const auto& s = listing.value().series.front();
  ASSERT_TRUE(s.layout.has_value());
  EXPECT_TRUE(s.complete());
  EXPECT_EQ(s.layout->size, (std::array<int, 3>{16, 16, 5}));
  EXPECT_NEAR(s.layout->spacing[2], 2.5, 1e-4);
  EXPECT_NEAR(s.layout->origin[2], -1.2375, 1e-4);
  EXPECT_FALSE(s.layout->irregularSpacing);
}

TEST(InputOpener, ASingleFileKeepsItsModality) {
  auto r = io::openInput(testdata::kPydicom / "CT_small.dcm");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<core::Image2D>(r.value().image.content).modality, "CT");
  EXPECT_FALSE(r.value().series.has_value());
}
