// Hostile inputs made from real files (issue 14): each test damages a real file in one way
// and checks the reader's answer. The full corpus (hundreds of cases, replayed through the
// CLI under a memory limit) is tests/hostile; these pin each root fix at unit level.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zlib.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>

#include "TestData.hpp"
#include "meridian/io/ReaderRegistry.hpp"

namespace fs = std::filesystem;
using namespace meridian;
using namespace meridian::testdata;

namespace {

std::string readAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::path(testing::TempDir()) / "meridian-hostile" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

fs::path writeFile(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

core::Result<io::OpenedImage> open(const fs::path& p) { return io::ReaderRegistry::builtin().open(p); }

void expectRefused(const fs::path& p, const std::string& words) {
  auto r = open(p);
  ASSERT_FALSE(r.ok()) << p << " was accepted";
  EXPECT_NE(r.error().message.find(words), std::string::npos) << r.error().message;
}

std::string le16(std::uint16_t v) { return {char(v & 0xFF), char(v >> 8)}; }
std::string le32(std::uint32_t v) { return le16(v & 0xFFFF) + le16(v >> 16); }

// `depth` sequences nested in each other (undefined lengths), as a private element.
std::string nested(int depth) {
  std::string open, close;
  for (int i = 0; i < depth; ++i) {
    open += le16(0x7FDF) + le16(0x1000) + "SQ" + le16(0) + le32(0xFFFFFFFF);  // sequence
    open += le16(0xFFFE) + le16(0xE000) + le32(0xFFFFFFFF);                  // item
    close += le16(0xFFFE) + le16(0xE00D) + le32(0) + le16(0xFFFE) + le16(0xE0DD) + le32(0);
  }
  return open + close;
}

std::string beforePixels(std::string dicom, const std::string& blob) {
  const auto at = dicom.find(le16(0x7FE0) + le16(0x0010), 132);
  return dicom.insert(at, blob);
}

// NIfTI-1 header fields of anatomical.nii (big-endian) written in its byte order.
void putBigEndian(std::string& s, std::size_t at, const void* value, std::size_t n) {
  const auto* b = static_cast<const unsigned char*>(value);
  for (std::size_t i = 0; i < n; ++i) s[at + i] = static_cast<char>(b[n - 1 - i]);
}
void putFloat(std::string& s, std::size_t at, float v) { putBigEndian(s, at, &v, 4); }
void putShort(std::string& s, std::size_t at, std::int16_t v) { putBigEndian(s, at, &v, 2); }

std::string gzip(const std::string& data) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

}  // namespace

TEST(HostileDicom, TenThousandNestedSequencesAreRefusedBeforeDcmtkRecurses) {
  const auto dir = scratch("nested");
  const std::string ct = readAll(kPydicom / "CT_small.dcm");
  expectRefused(writeFile(dir / "deep.dcm", beforePixels(ct, nested(10000))), "nested more than 64");
  auto shallow = open(writeFile(dir / "shallow.dcm", beforePixels(ct, nested(5))));
  EXPECT_TRUE(shallow.ok()) << shallow.error().describe();
}

TEST(HostileDicom, SizeProductsThatWrapPast2To64AreRefused) {
  const auto dir = scratch("wrap");
  std::string ct = readAll(kPydicom / "CT_small.dcm");
  // Rows = Columns = 32768 and 2^30 frames of 16 bits: 2^64 bits, which wraps to 0.
  const auto rows = ct.find(le16(0x0028) + le16(0x0010), 132), cols = ct.find(le16(0x0028) + le16(0x0011), 132);
  ct.replace(rows + 8, 2, le16(32768));
  ct.replace(cols + 8, 2, le16(32768));
  const std::string frames = le16(0x0028) + le16(0x0008) + "IS" + le16(10) + "1073741824";
  ct.insert(rows, frames);  // (0028,0008) precedes (0028,0010)
  expectRefused(writeFile(dir / "wrap.dcm", ct), "beyond any memory");
}

TEST(HostileDicom, AJpegFrameShorterThanItsHeaderSaysIsRefused) {
  const auto dir = scratch("jpeg");
  std::string dcm = readAll(kPydicom / "SC_rgb_jpeg_dcmtk.dcm");
  const auto at = dcm.find(le16(0x7FE0) + le16(0x0010), 132);
  std::uint32_t botLength = 0;
  std::memcpy(&botLength, dcm.data() + at + 16, 4);
  const std::size_t fragment = at + 12 + 8 + botLength;
  std::uint32_t length = 0;
  std::memcpy(&length, dcm.data() + fragment + 4, 4);
  const std::uint32_t keep = (length / 2) & ~1u;  // half the stream, lengths kept consistent
  const std::string cut = dcm.substr(0, fragment) + le16(0xFFFE) + le16(0xE000) + le32(keep) +
                          dcm.substr(fragment + 8, keep) + dcm.substr(fragment + 8 + length);
  expectRefused(writeFile(dir / "short.dcm", cut), "truncated JPEG stream");
  EXPECT_TRUE(open(writeFile(dir / "whole.dcm", dcm)).ok());
}

TEST(HostileNifti, ScaledVoxelsAreAcceptedAndApplied) {
  const auto dir = scratch("scaled");
  const std::string plain = readAll(kNibabel / "anatomical.nii");
  std::string scaled = plain;
  putFloat(scaled, 112, 2.0f);      // scl_slope
  putFloat(scaled, 116, -1024.0f);  // scl_inter, as dcm2niix writes CT
  auto a = open(writeFile(dir / "plain.nii", plain));
  auto b = open(writeFile(dir / "scaled.nii", scaled));
  ASSERT_TRUE(a.ok()) << a.error().describe();
  ASSERT_TRUE(b.ok()) << b.error().describe();  // was refused as "truncated"
  const auto& va = std::get<core::Volume>(a.value().content);
  const auto& vb = std::get<core::Volume>(b.value().content);
  for (const auto& ijk : {std::array<int, 3>{0, 0, 0}, {16, 20, 12}, {32, 40, 24}, {5, 30, 7}})
    EXPECT_DOUBLE_EQ(vb.valueAt(ijk[0], ijk[1], ijk[2]), 2.0 * va.valueAt(ijk[0], ijk[1], ijk[2]) - 1024.0);
}

TEST(HostileNifti, NanGeometryAndBadVoxOffsetsAreRefusedBeforeItk) {
  const auto dir = scratch("nan");
  const std::string mr = readAll(kNibabel / "anatomical.nii");
  std::string sform = mr;
  putShort(sform, 254, 1);
  putFloat(sform, 280, std::nanf(""));
  expectRefused(writeFile(dir / "sform.nii", sform), "sform");
  std::string qform = mr;
  putShort(qform, 252, 1);
  putFloat(qform, 260, INFINITY);
  expectRefused(writeFile(dir / "qform.nii", qform), "qform");
  std::string negative = mr;
  putFloat(negative, 108, -352.0f);
  expectRefused(writeFile(dir / "negative.nii", negative), "vox_offset");
  std::string past = mr;
  putFloat(past, 108, static_cast<float>(mr.size() + 64));
  expectRefused(writeFile(dir / "past.nii", past), "vox_offset");
}

TEST(HostileNifti, AGzipStreamDamagedMidwayWithAnIntactTrailerIsRefused) {
  const auto dir = scratch("gz");
  const std::string gz = gzip(readAll(kNibabel / "anatomical.nii"));
  ASSERT_TRUE(open(writeFile(dir / "whole.nii.gz", gz)).ok());
  std::string damaged = gz;
  for (std::size_t i = gz.size() / 3; i < gz.size() / 3 + 4; ++i) damaged[i] = static_cast<char>(damaged[i] ^ 0x5A);
  auto r = open(writeFile(dir / "damaged.nii.gz", damaged));
  ASSERT_FALSE(r.ok()) << "a damaged stream with its size field intact was accepted";
}

TEST(HostileDetachedData, DataFilesOutsideTheHeaderFolderAreRefused) {
  const auto dir = scratch("detached");
  const std::string nrrd = "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 4 4 4\nencoding: raw\ndata file: ";
  for (const std::string& name : {"/etc/passwd", "../../../../etc/passwd", "/dev/urandom"})
    expectRefused(writeFile(dir / "x.nhdr", nrrd + name + "\n"), "folder");
  const std::string mhd = "NDims = 3\nDimSize = 4 4 4\nElementType = MET_UCHAR\nElementDataFile = ";
  expectRefused(writeFile(dir / "x.mhd", mhd + "/etc/passwd\n"), "absolute path");
  fs::create_symlink("/dev/urandom", dir / "link.raw");
  expectRefused(writeFile(dir / "y.mhd", mhd + "link.raw\n"), "outside the header's folder");
  writeFile(dir / "ok.raw", std::string(64, '\7'));
  auto ok = open(writeFile(dir / "ok.nhdr", nrrd + "ok.raw\n"));
  ASSERT_TRUE(ok.ok()) << ok.error().describe();
}

TEST(HostileDetachedData, TruncatedOrGarbageCompressedMetaImageIsRefusedNotZeroFilled) {
  const auto dir = scratch("meta");
  std::string voxels(32 * 32 * 8, '\0');
  for (std::size_t i = 0; i < voxels.size(); ++i) voxels[i] = static_cast<char>(i * 7);
  uLongf bound = compressBound(voxels.size());
  std::string z(bound, '\0');
  compress2(reinterpret_cast<Bytef*>(z.data()), &bound, reinterpret_cast<const Bytef*>(voxels.data()), voxels.size(), 6);
  z.resize(bound);
  const std::string header = "NDims = 3\nDimSize = 32 32 8\nElementType = MET_UCHAR\nCompressedData = True\nElementDataFile = LOCAL\n";
  ASSERT_TRUE(open(writeFile(dir / "whole.mha", header + z)).ok());
  expectRefused(writeFile(dir / "cut.mha", header + z.substr(0, z.size() / 2)), "truncated");
  expectRefused(writeFile(dir / "garbage.mha", header + std::string(400, '\x42')), "damaged");
  const std::string raw = "NDims = 3\nDimSize = 32 32 8\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n";
  expectRefused(writeFile(dir / "short.mha", raw + voxels.substr(0, 100)), "truncated");
}

TEST(HostileSpecialFiles, AFifoIsRefusedByTypeNotOpened) {
  const auto dir = scratch("fifo");
  ASSERT_EQ(::mkfifo((dir / "x.nii").c_str(), 0600), 0);
  expectRefused(dir / "x.nii", "FIFO");  // opening it would block this test forever
  EXPECT_EQ(io::ReaderRegistry::builtin().find(dir / "x.nii"), nullptr);
  fs::create_symlink("/dev/zero", dir / "zero.dcm");
  expectRefused(dir / "zero.dcm", "character device");
}
