// Geometry against peers: real CT slices tilted and shuffled by pydicom (an oblique series
// whose normal points down, so sorting by raw z instead of along the normal reverses it), the
// same frames as an Enhanced CT object, nibabel's anatomical volume in an oblique geometry
// written as NIfTI (nibabel), NRRD and MetaImage (plain header writers, not Meridian's), and
// a BMP written by PIL. make_geometry_references.py writes the files and the geometry pydicom
// and numpy compute for them (expected.json).

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "TestData.hpp"
#include "meridian/io/DicomSeries.hpp"
#include "meridian/io/ReaderRegistry.hpp"

namespace fs = std::filesystem;
using namespace meridian;

namespace {

const fs::path kRefs = MERIDIAN_TEST_GEOMETRY_REFERENCES;

const nlohmann::json& expected() {
  static const nlohmann::json j = [] {
    std::ifstream in(kRefs / "expected.json");
    return in ? nlohmann::json::parse(in) : nlohmann::json::object();
  }();
  return j;
}

void expectGeometry(const core::Volume& v, const nlohmann::json& e, double tol = 1e-3) {
  ASSERT_EQ(v.size(), (std::array<int, 3>{e["size"][0], e["size"][1], e["size"][2]}));
  for (int a = 0; a < 3; ++a) {
    EXPECT_NEAR(v.spacing[a], e["spacing"][a].get<double>(), tol) << "spacing " << a;
    EXPECT_NEAR(v.origin[a], e["origin"][a].get<double>(), tol) << "origin " << a;
    for (int r = 0; r < 3; ++r)  // Volume::direction is row-major, column c = axis c
      EXPECT_NEAR(v.direction[r * 3 + a], e["direction_columns"][a][r].get<double>(), 1e-4) << "axis " << a << " row " << r;
  }
}

double rescaled(const core::Volume& v, int i, int j, int k) {
  return v.valueAt(i, j, k) * v.rescaleSlope + v.rescaleIntercept;
}

core::Volume openVolume(const fs::path& path) {
  auto opened = io::ReaderRegistry::builtin().open(path);
  EXPECT_TRUE(opened.ok()) << path << ": " << (opened.ok() ? "" : opened.error().describe());
  if (!opened.ok() || !std::holds_alternative<core::Volume>(opened.value().content)) return {};
  return std::get<core::Volume>(std::move(opened.value().content));
}

/// Slice k of `v` equals the file's own pixels, decoded on their own.
void expectSliceIsFile(const core::Volume& v, int k, const fs::path& file) {
  auto single = io::ReaderRegistry::builtin().open(file);
  ASSERT_TRUE(single.ok()) << file;
  const auto& image = std::get<core::Image2D>(single.value().content);
  ASSERT_EQ(image.width(), v.size()[0]);
  int differing = 0;
  for (int y = 0; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x) differing += image.valueAt(x, y) != rescaled(v, x, y, k);
  EXPECT_EQ(differing, 0) << "slice " << k << " is not " << file.filename();
}

}  // namespace

TEST(GeometryReference, ObliqueShuffledSeriesIsStackedAlongItsNormal) {
  ASSERT_FALSE(expected().empty()) << "run the fixture: " << kRefs;
  const auto& e = expected()["oblique_series"];
  auto index = io::indexDicomFolder(kRefs / "oblique-series");
  ASSERT_TRUE(index.ok()) << index.error().describe();
  ASSERT_EQ(index.value().size(), 1u);
  auto loaded = io::loadDicomSeries(index.value().front());
  ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
  const core::Volume& v = loaded.value().volume;
  expectGeometry(v, e);
  EXPECT_TRUE(loaded.value().warnings.empty());
  const int n = v.size()[2];
  for (int k = 0; k < n; ++k) {
    const auto p = v.indexToPhysical({0, 0, static_cast<double>(k)});
    for (int a = 0; a < 3; ++a)
      EXPECT_NEAR(p[a], e["positions_along_normal"][k][a].get<double>(), 1e-3) << "slice " << k << " axis " << a;
    expectSliceIsFile(v, k, kRefs / "oblique-series" / e["files_along_normal"][k].get<std::string>());
  }
}

TEST(GeometryReference, EnhancedCtFramesSitWherePydicomPutsThem) {
  ASSERT_FALSE(expected().empty()) << "run the fixture: " << kRefs;
  const auto& e = expected()["enhanced_ct"];
  const core::Volume v = openVolume(kRefs / "enhanced-ct.dcm");
  expectGeometry(v, e);
  for (int k = 0; k < v.size()[2]; ++k) {
    const auto p = v.indexToPhysical({0, 0, static_cast<double>(k)});
    for (int a = 0; a < 3; ++a) EXPECT_NEAR(p[a], e["frame_positions"][k][a].get<double>(), 1e-3) << "frame " << k;
    expectSliceIsFile(v, k, kRefs / "oblique-series" / e["files_of_frames"][k].get<std::string>());
  }
}

class PeerWrittenVolume : public ::testing::TestWithParam<const char*> {};

TEST_P(PeerWrittenVolume, GeometryAndVoxelsEqualWhatThePeerWrote) {
  ASSERT_FALSE(expected().empty()) << "run the fixture: " << kRefs;
  const auto& e = expected()[GetParam()];
  const core::Volume v = openVolume(kRefs / GetParam());
  expectGeometry(v, e, 1e-4);
  double sum = 0;
  for (int k = 0; k < v.size()[2]; ++k)
    for (int j = 0; j < v.size()[1]; ++j)
      for (int i = 0; i < v.size()[0]; ++i) sum += rescaled(v, i, j, k);
  EXPECT_EQ(sum, e["voxel_sum"].get<double>());
  for (const auto& s : e["voxels_ijk"])
    EXPECT_EQ(rescaled(v, s[0], s[1], s[2]), s[3].get<double>()) << s.dump();
}

INSTANTIATE_TEST_SUITE_P(NiftiNrrdMetaImage, PeerWrittenVolume,
                         ::testing::Values("anatomical-oblique.nii.gz", "volume.nrrd", "volume.mha"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

TEST(GeometryReference, BmpWrittenByPilReadsBackPixelForPixel) {
  ASSERT_FALSE(expected().empty()) << "run the fixture: " << kRefs;
  const auto& e = expected()["camera.bmp"];
  auto opened = io::ReaderRegistry::builtin().open(kRefs / "camera.bmp");
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  const auto& image = std::get<core::Image2D>(opened.value().content);
  ASSERT_EQ(image.width(), e["size"][0].get<int>());
  ASSERT_EQ(image.height(), e["size"][1].get<int>());
  double sum = 0;
  for (int y = 0; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x) sum += image.valueAt(x, y);
  EXPECT_EQ(sum, e["sum"].get<double>());
  for (const auto& s : e["pixels_xy"]) EXPECT_EQ(image.valueAt(s[0], s[1]), s[2].get<double>()) << s.dump();
}
