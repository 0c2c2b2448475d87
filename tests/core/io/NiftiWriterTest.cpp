// Meridian's own NIfTI writer (issue 16) against ITK 5.2's NiftiImageIO, which wrote every
// .nii before: for the same image both are written (ITK through libmeridian_io_itk.so's
// writer, still there for NRRD/MetaImage) and their headers compared field by field, their
// voxels byte for byte, and the .nii.gz checked to hold exactly the .nii's bytes.

#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

#include "ItkLibrary.hpp"
#include "NiftiHeader.hpp"
#include "meridian/io/ImageWriter.hpp"
#include "meridian/io/ReaderRegistry.hpp"

namespace fs = std::filesystem;
using namespace meridian;

namespace {

std::string readAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string gunzip(const fs::path& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  std::string out;
  char buffer[1 << 16];
  int n = 0;
  while (file && (n = gzread(file, buffer, sizeof buffer)) > 0) out.append(buffer, static_cast<std::size_t>(n));
  if (file) gzclose(file);
  return out;
}

template <class T>
T field(const std::string& bytes, std::size_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof value);
  return value;
}

// Offsets of the float fields that ITK computes in single precision through its own matrix
// arithmetic: equal to ours to float rounding, not always bit for bit.
constexpr std::size_t kQuaternion = 256, kSrow = 280, kSrowEnd = 328;

void expectSameHeader(const std::string& ours, const std::string& itk) {
  ASSERT_GE(ours.size(), io::detail::kNiftiVoxelOffset);
  ASSERT_GE(itk.size(), io::detail::kNiftiVoxelOffset);
  for (std::size_t at = 0; at < io::detail::kNiftiVoxelOffset; ++at) {
    if ((at >= kQuaternion && at < kQuaternion + 12) || (at >= kSrow && at < kSrowEnd)) continue;
    EXPECT_EQ(ours[at], itk[at]) << "header byte " << at << " differs from ITK's";
  }
  for (std::size_t at = kQuaternion; at < kQuaternion + 12; at += 4)
    EXPECT_NEAR(field<float>(ours, at), field<float>(itk, at), 2e-6) << "quaternion at " << at;
  for (std::size_t at = kSrow; at < kSrowEnd; at += 4)
    EXPECT_NEAR(field<float>(ours, at), field<float>(itk, at), 2e-5) << "srow at " << at;
}

core::Mat3 rotation(double aboutX, double aboutY) {
  const double cx = std::cos(aboutX), sx = std::sin(aboutX), cy = std::cos(aboutY), sy = std::sin(aboutY);
  // Rx * Ry, row-major.
  return {cy, 0, sy, sx * sy, cx, -sx * cy, -cx * sy, sx, cx * cy};
}

core::Volume filledVolume(std::array<int, 3> size, core::PixelType type, int channels = 1) {
  core::Volume v = core::Volume::allocate(size, type, core::PixelBuffer::Init::Zero, channels).value();
  std::mt19937 rng(3);
  for (std::size_t i = 0; i < v.sizeInBytes(); ++i) v.data()[i] = static_cast<std::uint8_t>(rng() % 200);
  return v;
}

// Writes `v` both ways as .nii and compares; also checks our .nii.gz inflates to our .nii.
void compareWithItk(const core::Volume& v, const std::string& name) {
  SCOPED_TRACE(name);
  auto itk = io::detail::itkLibrary();
  ASSERT_TRUE(itk.ok()) << itk.error().message;
  const fs::path dir = fs::path(testing::TempDir()) / "nifti-writer";
  fs::create_directories(dir);
  const fs::path ours = dir / (name + ".nii"), theirs = dir / (name + "-itk.nii"), zipped = dir / (name + ".nii.gz");
  ASSERT_TRUE(io::writeVolume(v, ours).ok());
  ASSERT_TRUE(itk.value()->writeVolume(v, theirs, ".nii", {}).ok());
  ASSERT_TRUE(io::writeVolume(v, zipped).ok());
  const std::string a = readAll(ours), b = readAll(theirs);
  ASSERT_EQ(a.size(), b.size());
  expectSameHeader(a, b);
  EXPECT_EQ(0, a.compare(io::detail::kNiftiVoxelOffset, std::string::npos, b, io::detail::kNiftiVoxelOffset)) << "voxels differ";
  EXPECT_EQ(gunzip(zipped), a) << ".nii.gz does not hold the .nii's bytes";
  // And ITK reads our file back to the same geometry.
  auto back = io::ReaderRegistry::builtin().open(zipped);
  ASSERT_TRUE(back.ok()) << back.error().describe();
  const auto& copy = std::get<core::Volume>(back.value().content);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(copy.origin[i], v.origin[i], 1e-4);
  for (int i = 0; i < 9; ++i) EXPECT_NEAR(copy.direction[i], v.direction[i], 1e-6);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(copy.spacing[i], v.spacing[i], 1e-6);
}

}  // namespace

TEST(NiftiWriter, HeaderMatchesItksForObliqueFlippedAndPlainVolumes) {
  core::Volume oblique = filledVolume({7, 5, 4}, core::PixelType::Int16);
  oblique.spacing = {0.7, 0.8, 2.5};
  oblique.origin = {-12.5, 33.25, 7.125};
  oblique.direction = rotation(10 * M_PI / 180, 110 * M_PI / 180);
  compareWithItk(oblique, "oblique");

  core::Volume flipped = filledVolume({6, 6, 3}, core::PixelType::UInt16);  // slices run S->I: qfac -1
  flipped.direction = {1, 0, 0, 0, 1, 0, 0, 0, -1};
  flipped.origin = {100, -50, 20};
  compareWithItk(flipped, "flipped");

  core::Volume sagittal = filledVolume({4, 5, 6}, core::PixelType::Float32);  // axes permuted
  sagittal.direction = {0, 0, 1, 1, 0, 0, 0, 1, 0};
  sagittal.spacing = {1.5, 1.5, 3};
  compareWithItk(sagittal, "sagittal");

  core::Volume rgb = filledVolume({5, 4, 3}, core::PixelType::UInt8, 3);  // a colour cine's frames
  compareWithItk(rgb, "rgb");
  compareWithItk(filledVolume({3, 3, 3}, core::PixelType::UInt8), "uint8");
}

TEST(NiftiWriter, ImagesMatchItksToo) {
  auto itk = io::detail::itkLibrary();
  ASSERT_TRUE(itk.ok()) << itk.error().message;
  const fs::path dir = fs::path(testing::TempDir()) / "nifti-writer";
  fs::create_directories(dir);
  for (int channels : {1, 3}) {
    SCOPED_TRACE(channels);
    core::Image2D image = core::Image2D::allocate(9, 7, channels, core::PixelType::UInt8).value();
    for (std::size_t i = 0; i < image.sizeInBytes(); ++i) image.data()[i] = static_cast<std::uint8_t>(i * 7);
    image.spacing = std::array<double, 2>{0.25, 0.5};
    const fs::path ours = dir / ("image" + std::to_string(channels) + ".nii");
    const fs::path theirs = dir / ("image" + std::to_string(channels) + "-itk.nii");
    ASSERT_TRUE(io::writeImage(image, ours).ok());
    ASSERT_TRUE(itk.value()->writeImage(image, theirs, ".nii", {}).ok());
    const std::string a = readAll(ours), b = readAll(theirs);
    ASSERT_EQ(a.size(), b.size());
    expectSameHeader(a, b);
    EXPECT_EQ(a.substr(io::detail::kNiftiVoxelOffset), b.substr(io::detail::kNiftiVoxelOffset));
  }
}

TEST(NiftiWriter, WhatNiftiOneCannotHoldIsRefused) {
  const fs::path dir = fs::path(testing::TempDir()) / "nifti-writer";
  fs::create_directories(dir);
  core::Volume colour16 = core::Volume::allocate({2, 2, 2}, core::PixelType::UInt16, core::PixelBuffer::Init::Zero, 3).value();
  auto status = io::writeVolume(colour16, dir / "colour16.nii");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, core::ErrorCode::Unsupported);
  EXPECT_NE(status.error().message.find("8-bit RGB"), std::string::npos) << status.error().message;
  core::Volume tall = core::Volume::allocate({1, 1, 40000}, core::PixelType::UInt8).value();
  status = io::writeVolume(tall, dir / "tall.nii");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("32767"), std::string::npos) << status.error().message;
  EXPECT_FALSE(fs::exists(dir / "tall.nii"));
}

TEST(NiftiWriter, QuaternionOfKnownRotations) {
  // RAS identity: no rotation. LPS identity (x, y negated): 180 degrees about z, d = 1.
  auto q = io::detail::niftiQuaternion(core::kIdentity3);
  EXPECT_NEAR(q.b, 0, 1e-12);
  EXPECT_NEAR(q.c, 0, 1e-12);
  EXPECT_NEAR(q.d, 0, 1e-12);
  EXPECT_EQ(q.qfac, 1);
  q = io::detail::niftiQuaternion({-1, 0, 0, 0, -1, 0, 0, 0, 1});
  EXPECT_NEAR(q.d, 1, 1e-12);
  EXPECT_EQ(q.qfac, 1);
  q = io::detail::niftiQuaternion({1, 0, 0, 0, 1, 0, 0, 0, -1});  // a reflection
  EXPECT_EQ(q.qfac, -1);
  // 90 degrees about x, columns scaled and slightly off orthogonal (as read from a file).
  q = io::detail::niftiQuaternion({2, 0, 0, 0, 0, -3.0001, 0, 2, 1e-5});
  EXPECT_NEAR(q.b, std::sqrt(0.5), 1e-4);
  EXPECT_NEAR(q.c, 0, 1e-4);
  EXPECT_NEAR(q.d, 0, 1e-4);
}
