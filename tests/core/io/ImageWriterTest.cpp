#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "TestData.hpp"
#include <fstream>

#include "meridian/io/DicomSeries.hpp"
#include "meridian/io/ImageWriter.hpp"
#include "meridian/io/ReaderRegistry.hpp"

namespace fs = std::filesystem;
using namespace meridian;

TEST(ImageWriter, PngRoundTripKeepsEveryPixel) {
  auto opened = io::ReaderRegistry::builtin().open(testdata::kSkimage / "ihc.png");
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  const auto& original = std::get<core::Image2D>(opened.value().content);
  const fs::path out = fs::path(testing::TempDir()) / "meridian-ihc-copy.png";
  ASSERT_TRUE(io::writeImage(original, out).ok());
  auto back = io::ReaderRegistry::builtin().open(out);
  ASSERT_TRUE(back.ok()) << back.error().describe();
  const auto& copy = std::get<core::Image2D>(back.value().content);
  ASSERT_EQ(copy.sizeInBytes(), original.sizeInBytes());
  EXPECT_EQ(0, std::memcmp(copy.data(), original.data(), copy.sizeInBytes()));
}

TEST(ImageWriter, UnknownExtensionAndUnwritableFolderFail) {
  core::Image2D image = core::Image2D::allocate(8, 8, 1, core::PixelType::UInt8).value();
  auto unknown = io::writeImage(image, fs::path(testing::TempDir()) / "x.unknownext");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, core::ErrorCode::Unsupported);
  auto unwritable = io::writeImage(image, "/proc/meridian/x.png");
  ASSERT_FALSE(unwritable.ok());
  EXPECT_EQ(unwritable.error().code, core::ErrorCode::Io);
}

TEST(ImageWriter, DicomSeriesToNiftiAndBackKeepsVoxelsAndGeometry) {
  auto index = io::indexDicomFolder(testdata::kPydicom / "dicomdirtests" / "98892001" / "CT5N");
  ASSERT_TRUE(index.ok());
  auto series = io::loadDicomSeries(index.value().front());
  ASSERT_TRUE(series.ok()) << series.error().describe();
  const core::Volume& original = series.value().volume;
  for (const char* name : {"ct5n.nii.gz", "ct5n.nrrd", "ct5n.mha"}) {
    SCOPED_TRACE(name);
    const fs::path out = fs::path(testing::TempDir()) / name;
    ASSERT_TRUE(io::writeVolume(original, out).ok());
    auto back = io::ReaderRegistry::builtin().open(out);
    ASSERT_TRUE(back.ok()) << back.error().describe();
    const auto& copy = std::get<core::Volume>(back.value().content);
    EXPECT_EQ(copy.size(), original.size());
    EXPECT_EQ(copy.pixelType(), original.pixelType());
    for (int a = 0; a < 3; ++a) {
      EXPECT_NEAR(copy.spacing[a], original.spacing[a], 1e-5);
      EXPECT_NEAR(copy.origin[a], original.origin[a], 1e-4);
    }
    for (int i = 0; i < 9; ++i) EXPECT_NEAR(copy.direction[i], original.direction[i], 1e-6);
    ASSERT_EQ(copy.sizeInBytes(), original.sizeInBytes());
    EXPECT_EQ(0, std::memcmp(copy.data(), original.data(), copy.sizeInBytes()));
  }
}

TEST(ImageWriter, ObliqueVolumeGeometrySurvivesNifti) {
  // nibabel's anatomical volume in an oblique geometry (rotated 10 degrees about x and 110
  // about y, written by nibabel: fixture.geometry_references), written by Meridian and read back.
  auto opened = io::ReaderRegistry::builtin().open(fs::path(MERIDIAN_TEST_GEOMETRY_REFERENCES) /
                                                   "anatomical-oblique.nii.gz");
  ASSERT_TRUE(opened.ok());
  const auto& original = std::get<core::Volume>(opened.value().content);
  int offDiagonal = 0;  // the file must really be oblique, or this test checks nothing new
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) offDiagonal += r != c && std::abs(original.direction[r * 3 + c]) > 0.1;
  ASSERT_GE(offDiagonal, 4);
  const fs::path out = fs::path(testing::TempDir()) / "anatomical-copy.nii";
  ASSERT_TRUE(io::writeVolume(original, out).ok());
  const auto back = io::ReaderRegistry::builtin().open(out);
  ASSERT_TRUE(back.ok());
  const auto& copy = std::get<core::Volume>(back.value().content);
  for (int a = 0; a < 3; ++a) EXPECT_NEAR(copy.origin[a], original.origin[a], 1e-4);
  for (int i = 0; i < 9; ++i) EXPECT_NEAR(copy.direction[i], original.direction[i], 1e-6);
  EXPECT_EQ(0, std::memcmp(copy.data(), original.data(), copy.sizeInBytes()));
}

TEST(ImageWriter, TwoFileVolumeFormatsAreRefused) {
  core::Volume v = core::Volume::allocate({2, 2, 2}, core::PixelType::Int16).value();
  auto status = io::writeVolume(v, fs::path(testing::TempDir()) / "x.mhd");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find(".nii"), std::string::npos);
}

namespace {
// Files in `dir` whose name marks an unfinished write (".NAME.partial-PID.EXT").
int partialFilesIn(const fs::path& dir) {
  int n = 0;
  for (const auto& entry : fs::directory_iterator(dir)) n += entry.path().filename().string().find(".partial-") != std::string::npos;
  return n;
}
}  // namespace

TEST(ImageWriter, AFailedMoveIntoPlaceLeavesNoPartialFileAndTheTargetUntouched) {
  // The image is written to a hidden temporary beside the target, then renamed: when the
  // rename fails (here the target is a folder with a file in it), the error says so, the
  // temporary is gone and the folder is as it was.
  auto opened = io::ReaderRegistry::builtin().open(testdata::kDemo / "pathology-ihc.png");
  ASSERT_TRUE(opened.ok());
  const auto& image = std::get<core::Image2D>(opened.value().content);
  const fs::path dir = fs::path(testing::TempDir()) / "writer-rename-fails";
  fs::remove_all(dir);
  fs::create_directories(dir / "taken.png");
  { std::ofstream(dir / "taken.png" / "keep.txt") << "keep"; }
  const auto status = io::writeImage(image, dir / "taken.png");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("cannot move the finished file into place"), std::string::npos)
      << status.error().message;
  EXPECT_EQ(partialFilesIn(dir), 0);
  EXPECT_TRUE(fs::is_directory(dir / "taken.png"));
  EXPECT_TRUE(fs::exists(dir / "taken.png" / "keep.txt"));
}

TEST(ImageWriter, AFailedWriteKeepsThePreviousFile) {
  // A good file, then a write that fails inside the encoder: the good file is still there,
  // byte for byte, and no temporary is left.
  auto opened = io::ReaderRegistry::builtin().open(testdata::kDemo / "pathology-ihc.png");
  ASSERT_TRUE(opened.ok());
  const auto& image = std::get<core::Image2D>(opened.value().content);
  const fs::path dir = fs::path(testing::TempDir()) / "writer-keeps-old";
  fs::remove_all(dir);
  fs::create_directories(dir);
  ASSERT_TRUE(io::writeImage(image, dir / "ihc.png").ok());
  const auto before = fs::file_size(dir / "ihc.png");
  auto floats = core::Image2D::allocate(64, 64, 1, core::PixelType::Float32).value();  // PNG holds no floats
  const auto status = io::writeImage(floats, dir / "ihc.png");
  ASSERT_FALSE(status.ok()) << "ITK's PNG writer takes 8- and 16-bit integers only";
  EXPECT_EQ(fs::file_size(dir / "ihc.png"), before);
  auto back = io::ReaderRegistry::builtin().open(dir / "ihc.png");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(std::get<core::Image2D>(back.value().content).width(), image.width());
  EXPECT_EQ(partialFilesIn(dir), 0);
}
