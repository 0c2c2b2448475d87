#pragma once
// A folder with a good CT slice (the demo set's ct-slice.dcm) and a DICOM file whose header
// cannot be indexed (pydicom's CT_small cut to its first 300 bytes, inside the meta group, so
// the reader still recognises DICOM by its preamble): the good one makes a series, the other
// must be listed with a warning. Shared by the folder listing's logic test and the files
// panel's window test. Needs MERIDIAN_TEST_DEMO_DATA.

#include <filesystem>
#include <fstream>
#include <string>

namespace meridian::test {

/// Makes `dir` afresh with "a-good-slice.dcm" and "b-cut-short.dcm".
inline void makeCutShortDicomFolder(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy_file(fs::path(MERIDIAN_TEST_DEMO_DATA) / "ct-slice.dcm", dir / "a-good-slice.dcm");
  std::ifstream in("/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm", std::ios::binary);
  std::string bytes(300, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  std::ofstream(dir / "b-cut-short.dcm", std::ios::binary).write(bytes.data(), in.gcount());
}

}  // namespace meridian::test
