#pragma once
// Where the real test images live: files shipped by Debian packages (installed by
// packaging/setup-debian.sh) and the demo set built by packaging/make-demo-data.sh.

#include <filesystem>

namespace meridian::testdata {

inline const std::filesystem::path kPydicom = "/usr/lib/python3/dist-packages/pydicom/data/test_files";
inline const std::filesystem::path kSkimage = "/usr/lib/python3/dist-packages/skimage/data";
inline const std::filesystem::path kNibabel = "/usr/lib/python3/dist-packages/nibabel/tests/data";
inline const std::filesystem::path kDemo = MERIDIAN_TEST_DEMO_DATA;

}  // namespace meridian::testdata
