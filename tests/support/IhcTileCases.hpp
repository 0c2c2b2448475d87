#pragma once
// The labelled IHC tiles (tests/model/make_ihc_tiles.py: 64 x 64 tiles of scikit-image's real
// IHC image, DAB-positive / DAB-negative by colour deconvolution, each 128 x 128 region a
// patient) added to a project as cases with their patient and label, written through the
// store as the Labels panel would. Shared by the training service's and the training panel's
// tests. Needs MERIDIAN_TEST_SOURCE_DIR (the source root) and the project store.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "meridian/core/FileHash.hpp"
#include "meridian/project/ProjectStore.hpp"

namespace meridian::test {

/// Writes the tiles into `dir` (make_ihc_tiles.py --tile 64) and adds each as a case of
/// `store`, labelled, its patient "region-N"; every tile gets `onlyLabel` instead when it is given
/// (a one-class task).
inline void addIhcTileCases(project::ProjectStore& store, const std::filesystem::path& dir,
                            const std::string& onlyLabel = {}) {
  const std::string command = "/usr/bin/python3 '" MERIDIAN_TEST_SOURCE_DIR "/tests/model/make_ihc_tiles.py' '" +
                              dir.string() + "' --tile 64";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  std::ifstream csv(dir / "labels.csv");
  std::string line;
  std::getline(csv, line);
  ASSERT_EQ(line, "path,label,patient");
  while (std::getline(csv, line)) {
    const auto a = line.find(','), b = line.rfind(',');
    project::CaseRecord record;
    record.path = (dir / line.substr(0, a)).string();
    record.kind = project::CaseKind::Image;
    record.format = "PNG";
    record.sha256 = core::sha256OfFile(record.path).value();
    record.byteSize = static_cast<std::int64_t>(std::filesystem::file_size(record.path));
    record.files.push_back({record.path, record.sha256, record.byteSize});
    record.patientId = "region-" + line.substr(b + 1);
    auto id = store.addCase(record);
    ASSERT_TRUE(id) << id.error().message;
    ASSERT_TRUE(store.addLabel(id.value(), onlyLabel.empty() ? line.substr(a + 1, b - a - 1) : onlyLabel));
  }
}

}  // namespace meridian::test
