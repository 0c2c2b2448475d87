// The case browser's tree and walk order (ui/CaseTree.hpp) on a real project: the demo
// folder imported with the project's own importer; plus preferences and job wording.

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "meridian/project/ProjectImport.hpp"
#include "meridian/project/ProjectStore.hpp"
#include "meridian/ui/CaseTree.hpp"
#include "meridian/ui/ContentRouting.hpp"
#include "meridian/ui/JobText.hpp"
#include "meridian/ui/Preferences.hpp"

namespace fs = std::filesystem;
using namespace meridian;
using ui::CaseTreeNode;

namespace {
const fs::path kDemo = MERIDIAN_TEST_DEMO_DATA;

std::vector<project::CaseRecord> importDemo(const fs::path& folder) {
  fs::remove_all(folder);
  auto store = project::ProjectStore::create(folder);
  EXPECT_TRUE(store.ok()) << store.error().message;
  auto report = project::importIntoProject(*store.value(), {kDemo});
  EXPECT_TRUE(report.ok()) << report.error().message;
  auto cases = store.value()->listCases();
  EXPECT_TRUE(cases.ok());
  return cases.value();
}
}  // namespace

TEST(CaseTree, TheDemoProjectIsGroupedPatientStudySeriesThenSlidesImagesVolumes) {
  const auto cases = importDemo(fs::temp_directory_path() / "meridian-case-tree-test");
  ASSERT_FALSE(cases.empty());
  const auto tree = ui::buildCaseTree(cases);
  std::vector<std::string> top;
  std::size_t patients = 0;
  for (const auto& node : tree) {
    top.push_back(node.label);
    if (node.kind == CaseTreeNode::Kind::Patient) {
      ++patients;
      ASSERT_FALSE(node.children.empty());
      for (const auto& study : node.children) {
        EXPECT_EQ(study.kind, CaseTreeNode::Kind::Study);
        for (const auto& series : study.children) EXPECT_TRUE(series.caseId.has_value());
      }
    }
  }
  EXPECT_GE(patients, 1u);
  // Groups follow the patients, in this order.
  ASSERT_GE(top.size(), 3u);
  EXPECT_EQ(top[top.size() - 3], "Slides");
  EXPECT_EQ(top[top.size() - 2], "2D images");
  EXPECT_EQ(top.back(), "Volumes");
  // Every case appears once in the walk order.
  const auto order = ui::caseOrder(tree);
  EXPECT_EQ(order.size(), cases.size());
  std::vector<project::CaseId> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::unique(sorted.begin(), sorted.end()), sorted.end());
  // Single DICOM files (a slice, a cine loop) open as files; the 256-slice CT as a series.
  std::size_t series = 0, singleDicom = 0;
  for (const auto& c : cases) {
    series += ui::opensAsSeries(c);
    singleDicom += !c.seriesUid.empty() && c.files.size() == 1;
    if (ui::opensAsSeries(c)) EXPECT_EQ(ui::seriesOf(c).files.size(), c.files.size());
  }
  EXPECT_EQ(series, 1u);
  EXPECT_EQ(singleDicom, 3u);
  fs::remove_all(fs::temp_directory_path() / "meridian-case-tree-test");
}

TEST(CaseTree, NextAndPreviousStopAtTheEnds) {
  const std::vector<project::CaseId> order{7, 3, 9};
  EXPECT_EQ(ui::stepCase(order, std::nullopt, +1), 7);
  EXPECT_EQ(ui::stepCase(order, 7, +1), 3);
  EXPECT_EQ(ui::stepCase(order, 3, +1), 9);
  EXPECT_EQ(ui::stepCase(order, 9, +1), 9);
  EXPECT_EQ(ui::stepCase(order, 3, -1), 7);
  EXPECT_EQ(ui::stepCase(order, 7, -1), 7);
  EXPECT_EQ(ui::stepCase(order, 42, -1), 7) << "a case not listed (filtered out) starts at the top";
  EXPECT_FALSE(ui::stepCase({}, 3, +1).has_value());
}

TEST(Preferences, OutOfRangeValuesAreBroughtBack) {
  ui::Preferences p;
  p.device = "tpu";
  p.threads = -3;
  p.slideCacheMB = 1;
  p.thumbnailSide = 100000;
  const auto s = ui::sanitized(p);
  EXPECT_EQ(s.device, "cpu");
  EXPECT_EQ(s.threads, 0);
  EXPECT_EQ(s.slideCacheMB, 64);
  EXPECT_EQ(s.thumbnailSide, 1024);
  p.device = "cuda:1";
  EXPECT_EQ(ui::sanitized(p).device, "cuda:1");
}

TEST(Preferences, TheThreadsPreferenceSetsTheJobWorkers) {
  ui::Preferences p;
  p.threads = 3;
  EXPECT_EQ(ui::jobWorkers(p), 3);
  p.threads = 1;
  EXPECT_EQ(ui::jobWorkers(p), 1);
  p.threads = 0;  // one per core, at least 2
  EXPECT_GE(ui::jobWorkers(p), 2);
  EXPECT_GE(ui::jobWorkers(p), static_cast<int>(std::thread::hardware_concurrency()));
}

// The window's model jobs leave one core to the UI thread, whatever the preference asks.
TEST(Preferences, ModelJobsLeaveOneCoreToTheWindow) {
  ui::Preferences p;
  EXPECT_EQ(ui::modelThreads(p, 2), 1);   // one per core, minus the UI's
  EXPECT_EQ(ui::modelThreads(p, 16), 15);
  EXPECT_EQ(ui::modelThreads(p, 1), 1);   // at least one
  EXPECT_EQ(ui::modelThreads(p, 0), 1);   // hardware_concurrency() may say 0
  p.threads = 4;
  EXPECT_EQ(ui::modelThreads(p, 16), 4);
  EXPECT_EQ(ui::modelThreads(p, 4), 3);
  EXPECT_EQ(ui::modelThreads(p, 2), 1);
}

TEST(Preferences, RecentProjectsMostRecentFirstWithoutDuplicates) {
  auto recent = ui::withRecent({}, "/a");
  recent = ui::withRecent(recent, "/b");
  recent = ui::withRecent(recent, "/a");
  EXPECT_EQ(recent, (std::vector<std::string>{"/a", "/b"}));
  for (int i = 0; i < 20; ++i) recent = ui::withRecent(recent, "/p" + std::to_string(i), 8);
  EXPECT_EQ(recent.size(), 8u);
  EXPECT_EQ(recent.front(), "/p19");
}

TEST(JobText, SaysProgressAndTimeLeft) {
  core::JobStatus job;
  job.state = core::JobState::Running;
  job.progress.stage = "slices";
  job.progress.done = 40;
  job.progress.total = 256;
  job.progress.etaSeconds = 185;
  EXPECT_EQ(ui::describeJob(job), "slices 40/256 · 3 min 05 s left");
  EXPECT_EQ(ui::progressPercent(job), 15);
  job.progress.total = 0;
  EXPECT_EQ(ui::progressPercent(job), -1) << "unknown total: a busy bar";
  job.state = core::JobState::Failed;
  job.error = core::Error{core::ErrorCode::Io, "disk full"};
  EXPECT_EQ(ui::describeJob(job), "failed: disk full");
  job.state = core::JobState::Queued;
  EXPECT_EQ(ui::describeJob(job), "queued");
  EXPECT_EQ(ui::formatDuration(-1), "");
  EXPECT_EQ(ui::formatDuration(3725), "1 h 02 min");
}

namespace {
const CaseTreeNode* findCase(const std::vector<CaseTreeNode>& nodes, project::CaseId id) {
  for (const auto& n : nodes) {
    if (n.caseId == id) return &n;
    if (const auto* found = findCase(n.children, id)) return found;
  }
  return nullptr;
}
}  // namespace

// pydicom's CT5N with slice 2693 removed, imported for real: its case node carries the
// warning the Files list shows for the same folder; the complete demo cases carry none.
TEST(CaseTree, AnIncompleteSeriesCaseCarriesItsWarning) {
  const fs::path root = fs::temp_directory_path() / "meridian-case-tree-gap";
  fs::remove_all(root);
  fs::create_directories(root);
  fs::copy("/usr/lib/python3/dist-packages/pydicom/data/test_files/dicomdirtests/98892001/CT5N", root / "CT5N");
  fs::remove(root / "CT5N" / "2693");
  auto store = project::ProjectStore::create(root / "project");
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto report = project::importIntoProject(*store.value(), {root / "CT5N", kDemo / "ct-slice.dcm"});
  ASSERT_TRUE(report.ok()) << report.error().message;
  ASSERT_EQ(report.value().incomplete.size(), 1u);
  const auto cases = store.value()->listCases().value();
  const auto tree = ui::buildCaseTree(cases);
  const CaseTreeNode* gap = findCase(tree, report.value().incomplete.front());
  ASSERT_NE(gap, nullptr);
  EXPECT_NE(gap->warning.find("incomplete series: 1 slice missing"), std::string::npos) << gap->warning;
  EXPECT_NE(gap->warning.find("3.7625) mm"), std::string::npos) << gap->warning;
  for (const auto& c : cases)
    if (c.id != gap->caseId) EXPECT_EQ(findCase(tree, c.id)->warning, "") << c.path;

  // A damaged mark is still a warning, naming the damage, never a clean row.
  auto damaged = cases;
  for (auto& c : damaged)
    if (c.id == gap->caseId) c.incompleteJson = "{oops";
  const auto damagedTree = ui::buildCaseTree(damaged);
  EXPECT_NE(findCase(damagedTree, *gap->caseId)->warning.find("damaged"), std::string::npos);
  fs::remove_all(root);
}
