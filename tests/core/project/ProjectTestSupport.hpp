#pragma once
// Shared by the project tests: a fresh folder per test and the real files they add.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace meridian::project::test {

inline std::filesystem::path freshFolder(const std::string& name) {
  const auto info = ::testing::UnitTest::GetInstance()->current_test_info();
  const auto dir = std::filesystem::path(MERIDIAN_TEST_OUTPUT) / (std::string(info->test_suite_name()) + "." + info->name()) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir.parent_path());
  return dir;
}

// Real images from Debian packages.
inline const std::filesystem::path kPydicom = "/usr/lib/python3/dist-packages/pydicom/data/test_files";
inline const std::filesystem::path kSkimage = "/usr/lib/python3/dist-packages/skimage/data";
inline const std::filesystem::path kNibabel = "/usr/lib/python3/dist-packages/nibabel/tests/data";

}  // namespace meridian::project::test
