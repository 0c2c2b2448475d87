#include "meridian/project/ProjectImport.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "ProjectTestSupport.hpp"

using namespace meridian;
using namespace meridian::project;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<ProjectStore> newProject() { return ProjectStore::create(test::freshFolder("project")).value(); }

}  // namespace

TEST(ProjectImport, AFolderOfDicomStudiesBecomesOneCasePerSeriesWithItsTags) {
  auto store = newProject();
  auto report = importIntoProject(*store, {test::kPydicom / "dicomdirtests" / "98892001"});
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_TRUE(report.value().failed.empty()) << report.value().failed.front().path << ": " << report.value().failed.front().reason;
  const auto cases = store->listCases().value();
  ASSERT_FALSE(cases.empty());
  EXPECT_EQ(cases.size(), report.value().added.size());
  std::set<std::string> series;
  for (const auto& c : cases) {
    EXPECT_EQ(c.format, "DICOM");
    EXPECT_FALSE(c.seriesUid.empty());
    EXPECT_FALSE(c.studyUid.empty());
    EXPECT_FALSE(c.patientId.empty());
    EXPECT_FALSE(c.modality.empty());
    EXPECT_EQ(c.sha256.size(), 64u);
    EXPECT_FALSE(c.files.empty());
    series.insert(c.seriesUid);
  }
  EXPECT_EQ(series.size(), cases.size());

  // Again: nothing added twice.
  auto again = importIntoProject(*store, {test::kPydicom / "dicomdirtests" / "98892001"});
  ASSERT_TRUE(again);
  EXPECT_TRUE(again.value().added.empty());
  EXPECT_EQ(again.value().alreadyPresent.size(), cases.size());
}

TEST(ProjectImport, ADicomdirGivesTheSameSeriesAsItsFolder) {
  auto viaDir = newProject();
  auto a = importIntoProject(*viaDir, {test::kPydicom / "dicomdirtests" / "DICOMDIR"});
  ASSERT_TRUE(a) << a.error().describe();
  auto viaFolderStore = ProjectStore::create(test::freshFolder("project2")).value();
  auto b = importIntoProject(*viaFolderStore, {test::kPydicom / "dicomdirtests"});
  ASSERT_TRUE(b) << b.error().describe();
  std::multiset<std::string> fromDir, fromFolder;
  const auto dirCases = viaDir->listCases().value();
  const auto folderCases = viaFolderStore->listCases().value();
  for (const auto& c : dirCases) fromDir.insert(c.seriesUid + " " + c.sha256);
  for (const auto& c : folderCases)
    if (!c.seriesUid.empty()) fromFolder.insert(c.seriesUid + " " + c.sha256);
  EXPECT_FALSE(fromDir.empty());
  EXPECT_EQ(fromDir, fromFolder);  // same series, same files, same digests
}

TEST(ProjectImport, AFolderWithUnreadableFilesAddsTheRestAndSaysWhichFailedAndWhy) {
  const fs::path folder = test::freshFolder("mixed");
  fs::create_directories(folder / "sub");
  fs::copy_file(test::kSkimage / "camera.png", folder / "camera.png");
  fs::copy_file(test::kSkimage / "retina.jpg", folder / "sub" / "retina.jpg");
  fs::copy_file(test::kNibabel / "anatomical.nii", folder / "anatomical.nii");
  fs::copy_file(test::kPydicom / "CT_small.dcm", folder / "ct.dcm");
  fs::copy_file(fs::path(MERIDIAN_TEST_CORRUPT_CORPUS) / "png-truncated.png", folder / "png-truncated.png");
  fs::copy_file(fs::path(MERIDIAN_TEST_CORRUPT_CORPUS) / "jpeg-truncated.jpg", folder / "sub" / "jpeg-truncated.jpg");
  std::ofstream(folder / "notes.txt") << "not an image\n";

  auto store = newProject();
  auto report = importIntoProject(*store, {folder, folder / "missing.png"});
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report.value().added.size(), 4u) << [&] {
    std::string added;
    for (const auto& c : store->listCases().value()) added += c.path + "\n";
    return added;
  }();
  std::set<std::string> failed;
  for (const auto& f : report.value().failed) {
    failed.insert(f.path.filename().string());
    EXPECT_FALSE(f.reason.empty()) << f.path;
  }
  EXPECT_EQ(failed, (std::set<std::string>{"png-truncated.png", "jpeg-truncated.jpg", "notes.txt", "missing.png"}));

  std::map<std::string, CaseKind> kinds;
  const auto cases = store->listCases().value();
  for (const auto& c : cases) kinds[fs::path(c.path).filename().string()] = c.kind;
  EXPECT_EQ(kinds["camera.png"], CaseKind::Image);
  EXPECT_EQ(kinds["retina.jpg"], CaseKind::Image);
  EXPECT_EQ(kinds["anatomical.nii"], CaseKind::Volume);
  EXPECT_EQ(kinds.size(), 4u);  // the CT slice is a one-file series, named by its folder
}

TEST(ProjectImport, ACancelledImportKeepsWhatWasAddedAndSaysSo) {
  auto store = newProject();
  // The user presses Cancel when the progress says two cases are in.
  core::JobControl job([&job](const core::JobProgress& p) {
    if (p.stage == "adding" && p.done == 2) job.cancel();
  });
  auto report = importIntoProject(*store, {test::kPydicom / "dicomdirtests"}, job);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, core::ErrorCode::Cancelled);
  EXPECT_NE(report.error().message.find("2 cases added before were kept"), std::string::npos) << report.error().message;
  EXPECT_EQ(store->listCases().value().size(), 2u);
}

TEST(ProjectImport, AReadOnlyProjectRefusesAnImport) {
  const auto dir = test::freshFolder("project");
  auto writer = ProjectStore::create(dir).value();
  auto reader = ProjectStore::open(dir, OpenMode::ReadWriteOrReadOnly).value();
  auto report = importIntoProject(*reader, {test::kSkimage / "camera.png"});
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, core::ErrorCode::Io);
}
