#include <gtest/gtest.h>

#include <cstring>

#include "../SmallDisk.hpp"
#include "TestData.hpp"
#include <fstream>
#include <cmath>
#include <limits>
#include <random>

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

core::Volume noisyVolume(int n) {
  // Noise does not compress: 256x256x16 int16 is 2 MB even gzipped, twice the small disk.
  core::Volume v = core::Volume::allocate({n, n, 16}, core::PixelType::Int16).value();
  std::mt19937 rng(7);
  auto* p = reinterpret_cast<std::uint8_t*>(v.data());
  for (std::size_t i = 0; i < v.sizeInBytes(); ++i) p[i] = static_cast<std::uint8_t>(rng());
  return v;
}

core::Image2D noisyImage(int n, core::PixelType type) {
  core::Image2D image = core::Image2D::allocate(n, n, type == core::PixelType::UInt8 ? 3 : 1, type).value();
  std::mt19937 rng(11);
  for (std::size_t i = 0; i < image.sizeInBytes(); ++i) image.data()[i] = static_cast<std::uint8_t>(rng());
  return image;
}

std::size_t entries(const fs::path& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

}  // namespace

TEST(ImageWriter, FullDiskFailsForEveryFormatAndLeavesNothing) {
  // Before: PNG died with "double free detected" inside ITK's PNG writer; NIfTI, MetaImage
  // and BMP printed an error, returned success and left a truncated file.
  meridian::test::SmallDisk disk("1m");
  MERIDIAN_REQUIRE_SMALL_DISK(disk);
  const core::Volume volume = noisyVolume(256);
  for (const char* name : {"v.nii", "v.nii.gz", "v.nrrd", "v.mha"}) {
    SCOPED_TRACE(name);
    auto status = io::writeVolume(volume, disk / name);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, core::ErrorCode::Io) << status.error().message;
    EXPECT_EQ(entries(disk.path()), 0u) << "a truncated file or a temporary was left behind";
  }
  const core::Image2D rgb = noisyImage(1024, core::PixelType::UInt8);  // 3 MB
  for (const char* name : {"i.png", "i.tif", "i.bmp", "i.nii.gz"}) {
    SCOPED_TRACE(name);
    auto status = io::writeImage(rgb, disk / name);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, core::ErrorCode::Io) << status.error().message;
    EXPECT_EQ(entries(disk.path()), 0u);
  }
}

TEST(ImageWriter, ReadOnlyFolderFails) {
  meridian::test::SmallDisk disk("1m", /*readOnly=*/true);
  MERIDIAN_REQUIRE_SMALL_DISK(disk);
  const core::Image2D image = noisyImage(16, core::PixelType::UInt8);
  for (const char* name : {"i.png", "i.nii.gz"}) {
    auto status = io::writeImage(image, disk / name);
    ASSERT_FALSE(status.ok()) << name;
    EXPECT_NE(status.error().message.find("Read-only file system"), std::string::npos) << status.error().message;
  }
}

TEST(ImageWriter, FormatFollowsTheLastExtensionInAnyCase) {
  // Before: "patient.v2.nrrd" and "SCAN.NII.GZ" were refused ('.v2.nrrd' is no format).
  EXPECT_EQ(io::outputFormatSuffix("patient.v2.nrrd"), ".nrrd");
  EXPECT_EQ(io::outputFormatSuffix("/data/SCAN.NII.GZ"), ".nii.gz");
  EXPECT_EQ(io::outputFormatSuffix("a.b.c.Png"), ".png");
  const fs::path dir = fs::path(testing::TempDir()) / "meridian-writer-names";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const core::Volume volume = noisyVolume(32);
  for (const char* name : {"patient.v2.nrrd", "SCAN.NII.GZ", "ct.2024.mha"}) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(io::writeVolume(volume, dir / name).ok());
    auto back = io::ReaderRegistry::builtin().open(dir / name);
    ASSERT_TRUE(back.ok()) << back.error().describe();
    const auto& copy = std::get<core::Volume>(back.value().content);
    ASSERT_EQ(copy.sizeInBytes(), volume.sizeInBytes());
    EXPECT_EQ(0, std::memcmp(copy.data(), volume.data(), copy.sizeInBytes()));
  }
  EXPECT_EQ(entries(dir), 3u);
}

TEST(ImageWriter, SixteenBitPngRoundTrips) {
  const core::Image2D image = noisyImage(64, core::PixelType::UInt16);
  const fs::path out = fs::path(testing::TempDir()) / "meridian-16bit.png";
  ASSERT_TRUE(io::writeImage(image, out).ok());
  auto back = io::ReaderRegistry::builtin().open(out);
  ASSERT_TRUE(back.ok()) << back.error().describe();
  const auto& copy = std::get<core::Image2D>(back.value().content);
  ASSERT_EQ(copy.pixelType(), core::PixelType::UInt16);
  ASSERT_EQ(copy.sizeInBytes(), image.sizeInBytes());
  EXPECT_EQ(0, std::memcmp(copy.data(), image.data(), copy.sizeInBytes()));
}

TEST(ImageWriter, KeepsAnInputAndAnExistingFileUnlessAllowed) {
  const fs::path dir = fs::path(testing::TempDir()) / "meridian-writer-policy";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path input = dir / "in.png";
  fs::copy_file(testdata::kSkimage / "ihc.png", input);
  const auto before = fs::file_size(input);
  const core::Image2D image = noisyImage(16, core::PixelType::UInt8);
  core::OutputPolicy policy;
  policy.inputs = {input};
  auto onInput = io::writeImage(image, dir / "." / "in.png", policy);
  ASSERT_FALSE(onInput.ok());
  EXPECT_NE(onInput.error().message.find("is the input"), std::string::npos) << onInput.error().message;
  EXPECT_EQ(fs::file_size(input), before);
  policy.inputs.clear();
  policy.replaceExisting = false;
  ASSERT_TRUE(io::writeImage(image, dir / "out.nrrd", policy).ok());
  auto again = io::writeVolume(noisyVolume(8), dir / "out.nrrd", policy);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("already exists"), std::string::npos);
  EXPECT_EQ(entries(dir), 2u);
}

TEST(ImageWriter, NanOrInfiniteValuesAreRefusedNotWritten) {
  // A float map holding NaN or infinity is a wrong result; ITK's NIfTI writer did not even
  // keep an infinity as it was.
  const fs::path dir = fs::path(testing::TempDir()) / "meridian-writer-nan";
  fs::remove_all(dir);
  fs::create_directories(dir);
  core::Volume v = core::Volume::allocate({4, 4, 2}, core::PixelType::Float32).value();
  reinterpret_cast<float*>(v.data())[5] = std::numeric_limits<float>::infinity();
  core::Image2D image = core::Image2D::allocate(4, 4, 1, core::PixelType::Float32).value();
  image.pixels<float>()[3] = std::nanf("");
  for (const char* name : {"map.nii.gz", "map.nrrd", "map.mha"}) {
    auto status = io::writeVolume(v, dir / name);
    ASSERT_FALSE(status.ok()) << name;
    EXPECT_EQ(status.error().code, core::ErrorCode::Corrupt);
    EXPECT_NE(status.error().message.find("NaN or infinite"), std::string::npos) << status.error().message;
  }
  EXPECT_FALSE(io::writeImage(image, dir / "map.tif").ok());
  EXPECT_EQ(entries(dir), 0u);
}
