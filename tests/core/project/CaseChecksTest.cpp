// checkCases: what `meridian-cli project check` prints and the case browser marks, with real
// files imported, then one changed and one moved on disk.
#include "meridian/project/CaseChecks.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "ProjectTestSupport.hpp"
#include "meridian/project/ProjectImport.hpp"

using namespace meridian;
using namespace meridian::project;
namespace fs = std::filesystem;

TEST(CaseChecks, AChangedAndAMovedFileAreFoundAfterImport) {
  const fs::path dir = test::freshFolder("files");
  fs::create_directories(dir);
  for (const char* name : {"camera.png", "coins.png", "moon.png"}) fs::copy_file(test::kSkimage / name, dir / name);
  auto store = ProjectStore::create(test::freshFolder("p")).value();
  auto report = importIntoProject(*store, {dir});
  ASSERT_TRUE(report.ok()) << report.error().message;
  ASSERT_EQ(report.value().added.size(), 3u);

  auto clean = checkCases(*store);
  ASSERT_TRUE(clean.ok());
  ASSERT_EQ(clean.value().size(), 3u);
  for (const auto& c : clean.value()) EXPECT_EQ(c.state, FileState::Unchanged) << c.detail;

  std::ofstream(dir / "coins.png", std::ios::binary | std::ios::app) << "edited";  // still a PNG, other bytes
  fs::rename(dir / "moon.png", dir / "moon-moved.png");
  std::vector<core::JobProgress> progress;
  auto checks = checkCases(*store, core::JobControl([&](const core::JobProgress& p) { progress.push_back(p); }));
  ASSERT_TRUE(checks.ok());
  ASSERT_EQ(checks.value().size(), 3u);
  std::map<std::string, CaseCheck> byName;
  for (const auto& c : checks.value()) byName[fs::path(store->getCase(c.caseId).value().path).filename().string()] = c;
  EXPECT_EQ(byName["camera.png"].state, FileState::Unchanged);
  EXPECT_EQ(byName["coins.png"].state, FileState::Changed);
  EXPECT_NE(byName["coins.png"].detail.find("changed since it was added"), std::string::npos) << byName["coins.png"].detail;
  EXPECT_EQ(byName["moon.png"].state, FileState::Missing);
  EXPECT_NE(byName["moon.png"].detail.find("is missing"), std::string::npos) << byName["moon.png"].detail;
  ASSERT_EQ(progress.size(), 3u);
  EXPECT_EQ(progress.back().done, 3u);
  EXPECT_EQ(progress.back().total, 3u);
}

TEST(CaseChecks, ACancelledCheckEndsWithTheOneCancelledResult) {
  auto store = ProjectStore::create(test::freshFolder("p")).value();
  ASSERT_TRUE(importIntoProject(*store, {test::kSkimage / "camera.png"}).ok());
  core::JobControl control;
  control.cancel();
  auto checks = checkCases(*store, control);
  ASSERT_FALSE(checks.ok());
  EXPECT_EQ(checks.error().code, core::ErrorCode::Cancelled);
}
