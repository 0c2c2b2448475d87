#include "meridian/project/ProjectImport.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <map>
#include <set>

#include "ProjectTestSupport.hpp"

using namespace meridian;
using namespace meridian::project;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<ProjectStore> newProject() { return ProjectStore::create(test::freshFolder("project")).value(); }

// pydicom's CT5N (5 slices 2.5 mm apart), damaged as app.cli_incomplete_series damages it:
// slice 2693 (z = 3.7625 mm) removed, or cut 300 bytes short.
fs::path ct5n(const std::string& damage) {
  const fs::path dir = test::freshFolder("CT5N-" + damage);
  fs::copy(test::kPydicom / "dicomdirtests" / "98892001" / "CT5N", dir);
  if (damage == "removed") fs::remove(dir / "2693");
  if (damage == "truncated") {
    std::ifstream in(dir / "2693", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    in.close();
    std::ofstream(dir / "2693", std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size() - 300));
  }
  return dir;
}

int sqliteExec(const fs::path& project, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open((project / ProjectStore::kDatabaseName).c_str(), &db) != SQLITE_OK) return -1;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  sqlite3_close(db);
  return rc;
}

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

TEST(ProjectImport, ASeriesWithAMissingSliceJoinsWithItsMark) {
  auto store = newProject();
  auto report = importIntoProject(*store, {ct5n("removed")});
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_TRUE(report.value().failed.empty());
  ASSERT_EQ(report.value().added.size(), 1u);
  EXPECT_EQ(report.value().incomplete, report.value().added);
  const CaseRecord record = store->getCase(report.value().added.front()).value();  // read back from the database
  EXPECT_EQ(record.files.size(), 4u);
  auto gaps = incompletenessOf(record);
  ASSERT_TRUE(gaps) << gaps.error().describe();
  ASSERT_EQ(gaps.value().missing.size(), 1u);
  EXPECT_NEAR(gaps.value().missing[0][2], 3.7625, 1e-3);
  EXPECT_TRUE(gaps.value().unreadable.empty());
}

TEST(ProjectImport, AnUnreadableMemberIsMarkedOnItsSeriesNotTriedAsAFileOfItsOwn) {
  auto store = newProject();
  auto report = importIntoProject(*store, {ct5n("truncated")});
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_TRUE(report.value().failed.empty()) << report.value().failed.front().path << ": " << report.value().failed.front().reason;
  ASSERT_EQ(report.value().added.size(), 1u);
  EXPECT_EQ(report.value().incomplete.size(), 1u);
  const CaseRecord record = store->listCases().value().front();
  EXPECT_EQ(record.files.size(), 4u);  // the readable four are the case's files
  auto gaps = incompletenessOf(record);
  ASSERT_TRUE(gaps);
  ASSERT_EQ(gaps.value().unreadable.size(), 1u);
  EXPECT_EQ(gaps.value().unreadable[0].file.filename(), "2693");
  EXPECT_NE(gaps.value().unreadable[0].reason.find("truncated"), std::string::npos) << gaps.value().unreadable[0].reason;
  EXPECT_EQ(gaps.value().missing.size(), 1u);  // and its position is a gap
}

TEST(ProjectImport, ACompleteSeriesCarriesNoMark) {
  auto store = newProject();
  auto report = importIntoProject(*store, {ct5n("none")});
  ASSERT_TRUE(report);
  EXPECT_TRUE(report.value().incomplete.empty());
  const CaseRecord record = store->listCases().value().front();
  EXPECT_EQ(record.files.size(), 5u);
  EXPECT_EQ(record.incompleteJson, "");
  EXPECT_TRUE(incompletenessOf(record).value().complete());
}

TEST(ProjectImport, ADamagedMarkIsAnErrorNotAComplete) {
  CaseRecord record;
  record.id = 7;
  for (const char* text : {"{not json", "{\"missing\": [[1, 2]], \"unreadable\": []}", "[]"}) {
    record.incompleteJson = text;
    auto gaps = incompletenessOf(record);
    ASSERT_FALSE(gaps) << text;
    EXPECT_EQ(gaps.error().code, core::ErrorCode::Corrupt);
    EXPECT_NE(gaps.error().message.find("case 7"), std::string::npos) << gaps.error().message;
  }
}

// A project written before the mark existed (schema 1): opened for writing, it gains the
// column; its cases stay and read as complete; an incomplete series added then keeps its mark.
TEST(ProjectImport, AVersion1ProjectIsUpgradedAndKeepsItsCases) {
  const fs::path dir = test::freshFolder("old-project");
  {
    auto store = ProjectStore::create(dir).value();
    ASSERT_TRUE(importIntoProject(*store, {test::kSkimage / "camera.png"}));
  }
  ASSERT_EQ(sqliteExec(dir, "ALTER TABLE cases DROP COLUMN incomplete_json; "
                            "ALTER TABLE annotations DROP COLUMN points_space; PRAGMA user_version = 1; "
                            "PRAGMA wal_checkpoint(TRUNCATE);"), SQLITE_OK);
  auto readOnly = ProjectStore::open(dir, OpenMode::ReadOnly);
  ASSERT_FALSE(readOnly);
  EXPECT_NE(readOnly.error().message.find("older format (1)"), std::string::npos) << readOnly.error().message;
  auto store = ProjectStore::open(dir, OpenMode::ReadWrite);
  ASSERT_TRUE(store) << store.error().describe();
  const auto cases = store.value()->listCases().value();
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases.front().incompleteJson, "");
  auto report = importIntoProject(*store.value(), {ct5n("removed")});
  ASSERT_TRUE(report);
  ASSERT_EQ(report.value().incomplete.size(), 1u);
  EXPECT_EQ(incompletenessOf(store.value()->getCase(report.value().incomplete.front()).value()).value().missing.size(), 1u);
}
