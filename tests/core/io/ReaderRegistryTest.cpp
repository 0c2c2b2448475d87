#include <gtest/gtest.h>

#include <fstream>

#include "TestData.hpp"
#include "meridian/io/ReaderRegistry.hpp"

namespace fs = std::filesystem;
using namespace meridian;
using namespace meridian::testdata;

namespace {
const io::ReaderRegistry& registry() { return io::ReaderRegistry::builtin(); }

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::path(testing::TempDir()) / "meridian-io";
  fs::create_directories(dir);
  return dir / name;
}

// CRC-32 as PNG chunks use it (polynomial 0xEDB88320).
std::uint32_t crc32(const std::string& bytes) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char b : bytes) {
    crc ^= b;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

std::string bigEndian32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}
}  // namespace

// Values below come from pydicom 2.3.1 (the peer decoder) on the same file.
TEST(ItkReader, ReadsARealCtSliceWithHounsfieldUnitsAndSpacing) {
  auto opened = registry().open(kPydicom / "CT_small.dcm");
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  EXPECT_EQ(opened.value().format, "DICOM");
  ASSERT_EQ(opened.value().kind(), io::ImageKind::Image);
  const auto& image = std::get<core::Image2D>(opened.value().content);
  EXPECT_EQ(image.width(), 128);
  EXPECT_EQ(image.height(), 128);
  ASSERT_TRUE(image.spacing.has_value());
  EXPECT_NEAR((*image.spacing)[0], 0.661468, 1e-6);
  // Rescale intercept -1024 applied: (row 0, col 0) = -849 HU, (row 64, col 64) = 904, (row 10, col 100) = 203.
  EXPECT_EQ(image.valueAt(0, 0), -849);
  EXPECT_EQ(image.valueAt(64, 64), 904);
  EXPECT_EQ(image.valueAt(100, 10), 203);
  EXPECT_EQ(image.valueRange()[0], -896);
  EXPECT_EQ(image.valueRange()[1], 1167);
}

TEST(ItkReader, ReadsAFundusPhotographAsRgb) {
  auto opened = registry().open(kSkimage / "retina.jpg");
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  EXPECT_EQ(opened.value().format, "JPEG");
  const auto& image = std::get<core::Image2D>(opened.value().content);
  EXPECT_EQ(image.width(), 1411);
  EXPECT_EQ(image.height(), 1411);
  EXPECT_EQ(image.channels(), 3);
  EXPECT_FALSE(image.spacing.has_value()) << "a photo's pixel size is not physical";
  // The fundus is a bright disc on black: corners dark, centre bright and red-dominant.
  EXPECT_LT(image.valueAt(5, 5, 0), 30);
  EXPECT_GT(image.valueAt(705, 705, 0), 100);
  EXPECT_GT(image.valueAt(705, 705, 0), image.valueAt(705, 705, 2));
}

TEST(ItkReader, ReadsANiftiVolumeInLpsGeometry) {
  auto opened = registry().open(kNibabel / "anatomical.nii");
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  ASSERT_EQ(opened.value().kind(), io::ImageKind::Volume);
  const auto& volume = std::get<core::Volume>(opened.value().content);
  EXPECT_EQ(volume.size(), (std::array<int, 3>{33, 41, 25}));
  EXPECT_EQ(volume.spacing, (core::Vec3{2, 2, 2}));
  // nibabel's affine is diag(-2, 2, 2) + (32, -40, -16) in RAS; in LPS that is
  // direction diag(1, -1, 1) and origin (-32, 40, -16).
  EXPECT_EQ(volume.origin, (core::Vec3{-32, 40, -16}));
  EXPECT_EQ(volume.direction, (core::Mat3{1, 0, 0, 0, -1, 0, 0, 0, 1}));
  EXPECT_EQ(volume.valueAt(10, 20, 12), 10872);  // nibabel: dataobj[10, 20, 12]
  EXPECT_EQ(volume.valueAt(0, 0, 0), 10712);
  EXPECT_EQ(volume.valueRange()[1], 30393);
}

TEST(TiffReader, SixteenBitGreyInBothByteOrdersMatchesPillow) {
  // Pillow (python3-pil) reads both as 200x200 uint16 with values 0 and 255.
  for (const char* name : {"chessboard_GRAY_U16.tif", "chessboard_GRAY_U16B.tif"}) {
    auto opened = registry().open(kSkimage / name);
    ASSERT_TRUE(opened.ok()) << opened.error().describe();
    EXPECT_EQ(opened.value().format, "TIFF");
    const auto& image = std::get<core::Image2D>(opened.value().content);
    EXPECT_EQ(image.pixelType(), core::PixelType::UInt16);
    EXPECT_EQ(image.width(), 200);
    EXPECT_EQ(image.valueAt(0, 0), 255);
    EXPECT_EQ(image.valueRange()[0], 0);
    EXPECT_EQ(image.valueRange()[1], 255);
  }
}

TEST(ReaderRegistry, MissingFileAndFolderGetClearErrors) {
  auto missing = registry().open("/nonexistent/scan.dcm");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, core::ErrorCode::NotFound);
  EXPECT_NE(missing.error().message.find("/nonexistent/scan.dcm"), std::string::npos);

  auto folder = registry().open(kPydicom);
  ASSERT_FALSE(folder.ok());
  EXPECT_EQ(folder.error().code, core::ErrorCode::Unsupported);
}

TEST(ReaderRegistry, EmptyAndGarbageFilesAreUnsupported) {
  const fs::path empty = scratch("empty.png");
  std::ofstream(empty).close();
  auto r1 = registry().open(empty);
  ASSERT_FALSE(r1.ok());
  EXPECT_NE(r1.error().message.find("empty.png"), std::string::npos);

  const fs::path garbage = scratch("garbage.dcm");
  std::ofstream(garbage) << std::string(4096, '\x5a');
  auto r2 = registry().open(garbage);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code, core::ErrorCode::Unsupported);
}

TEST(ReaderRegistry, TruncatedFilesFailWithAReason) {
  // Both files are truncated on purpose by their packages' authors.
  for (const fs::path& path : {kPydicom / "MR_truncated.dcm", kSkimage / "truncated.jpg"}) {
    auto r = registry().open(path);
    ASSERT_FALSE(r.ok()) << path;
    EXPECT_NE(r.error().message.find(path.filename().string()), std::string::npos) << r.error().message;
  }
}

TEST(ReaderRegistry, CutNiftiFilesAreRefusedNotZeroFilled) {
  // ITK alone returns the missing voxels of a cut NIfTI as zeros; Meridian must refuse.
  const auto cut = [](const fs::path& from, const fs::path& to, std::size_t keep) {
    std::ifstream in(from, std::ios::binary);
    std::string bytes(keep, '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(keep));
    std::ofstream(to, std::ios::binary) << bytes;
  };
  const fs::path plain = scratch("cut.nii"), gz = scratch("cut.nii.gz");
  cut(kNibabel / "anatomical.nii", plain, 30000);                  // of 68002 bytes
  cut(testdata::kDemo / "ct-abdomen-stent.nii.gz", gz, 500000);    // of ~1.1 MB
  for (const auto& path : {plain, gz}) {
    auto r = registry().open(path);
    ASSERT_FALSE(r.ok()) << path;
    EXPECT_EQ(r.error().code, core::ErrorCode::Corrupt);
    EXPECT_NE(r.error().message.find("truncated"), std::string::npos) << r.error().message;
  }
  // The intact files still open.
  EXPECT_TRUE(registry().open(kNibabel / "anatomical.nii").ok());
  EXPECT_TRUE(registry().open(testdata::kDemo / "ct-abdomen-stent.nii.gz").ok());
}

TEST(ReaderRegistry, RefusesAPngWhoseHeaderClaimsGigapixels) {
  // A valid PNG signature and IHDR claiming 60000 x 60000 RGB, then nothing: the reader
  // must refuse before allocating 10 GB.
  std::string ihdr = "IHDR" + bigEndian32(60000) + bigEndian32(60000) + std::string("\x08\x02\x00\x00\x00", 5);
  std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + bigEndian32(13) + ihdr + bigEndian32(crc32(ihdr));
  const fs::path bomb = scratch("bomb.png");
  std::ofstream(bomb, std::ios::binary) << png;
  auto r = registry().open(bomb);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::Corrupt) << r.error().message;
}
