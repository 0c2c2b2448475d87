// Acceptance set: every DICOM file of pydicom's own test suite either loads with pixels
// equal to what pydicom (the peer) decodes, or fails with a specific reason. The table of
// expected outcomes below is the contract; a file not in it fails the test.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <random>

#include "TestData.hpp"
#include "meridian/io/ReaderRegistry.hpp"

namespace fs = std::filesystem;
using namespace meridian;

namespace {

enum class Expect {
  Equal,     // pydicom decodes it; our pixels equal its pixels within `tolerance`
  OursOnly,  // pydicom (without optional plugins) cannot decode it; we must, at the header's size
  Error      // we refuse it; the message must contain `reason`
};

struct Outcome {
  Expect expect;
  double tolerance = 0.0;  // max |ours - pydicom| for Equal (lossy codecs differ slightly)
  std::string reason;      // for Error
};

// clang-format off
const std::map<std::string, Outcome> kTable = {
  {"693_J2KI.dcm",                        {Expect::Equal, 0}},
  {"CT_small.dcm",                        {Expect::Equal, 0}},
  {"ExplVR_BigEnd.dcm",                   {Expect::Equal, 0}},
  {"ExplVR_BigEndNoMeta.dcm",             {Expect::Error, 0, "not an image"}},
  {"ExplVR_LitEndNoMeta.dcm",             {Expect::Error, 0, "not an image"}},
  {"GDCMJ2K_TextGBR.dcm",                 {Expect::OursOnly}},
  {"J2K_pixelrep_mismatch.dcm",           {Expect::Equal, 0}},
  {"JPEG-lossy.dcm",                      {Expect::OursOnly}},
  {"JPEG2000-embedded-sequence-delimiter.dcm", {Expect::Error, 0, "cannot decode"}},  // hostile: 4e12 pixels claimed,
  {"JPEG2000.dcm",                        {Expect::Equal, 0}},
  {"JPGExtended.dcm",                     {Expect::OursOnly}},
  {"MR_small.dcm",                        {Expect::Equal, 0}},
  {"MR_small_RLE.dcm",                    {Expect::Equal, 0}},
  {"MR_small_bigendian.dcm",              {Expect::Equal, 0}},
  {"MR_small_expb.dcm",                   {Expect::Equal, 0}},
  {"MR_small_implicit.dcm",               {Expect::Equal, 0}},
  {"MR_small_jp2klossless.dcm",           {Expect::Equal, 0}},
  {"MR_small_jpeg_ls_lossless.dcm",       {Expect::OursOnly}},
  {"MR_small_padded.dcm",                 {Expect::Equal, 0}},
  {"MR_truncated.dcm",                    {Expect::Error, 0, "truncated or damaged"}},
  {"SC_jpeg_no_color_transform.dcm",      {Expect::Equal, 0}},
  {"SC_jpeg_no_color_transform_2.dcm",    {Expect::Equal, 0}},
  {"SC_rgb_dcmtk_+eb+cr.dcm",             {Expect::Equal, 0}},
  {"SC_rgb_dcmtk_+eb+cy+n1.dcm",          {Expect::Equal, 0}},
  {"SC_rgb_dcmtk_+eb+cy+n2.dcm",          {Expect::Equal, 0}},
  {"SC_rgb_dcmtk_+eb+cy+np.dcm",          {Expect::Equal, 0}},
  {"SC_rgb_dcmtk_+eb+cy+s2.dcm",          {Expect::Equal, 0}},
  {"SC_rgb_dcmtk_+eb+cy+s4.dcm",          {Expect::Equal, 0}},
  {"SC_rgb_gdcm_KY.dcm",                  {Expect::Equal, 0}},
  {"SC_rgb_jpeg.dcm",                     {Expect::Error, 0, "invalid value representation"}},  // 16-bit-length VRs where 32 belong: pydicom copes,
  {"SC_rgb_jpeg_app14_dcmd.dcm",          {Expect::Equal, 0}},
  {"SC_rgb_jpeg_dcmd.dcm",                {Expect::Equal, 0}},
  {"SC_rgb_jpeg_dcmtk.dcm",               {Expect::Equal, 0}},
  {"SC_rgb_jpeg_gdcm.dcm",                {Expect::OursOnly}},
  {"SC_rgb_jpeg_lossy_gdcm.dcm",          {Expect::Equal, 0}},
  {"SC_rgb_rle.dcm",                      {Expect::Equal, 0}},
  {"SC_rgb_rle_16bit.dcm",                {Expect::Equal, 0}},
  {"SC_rgb_rle_16bit_2frame.dcm",         {Expect::Equal, 0}},
  {"SC_rgb_rle_2frame.dcm",               {Expect::Equal, 0}},
  {"SC_rgb_rle_32bit.dcm",                {Expect::Error, 0, "32-bit samples"}},
  {"SC_rgb_rle_32bit_2frame.dcm",         {Expect::Error, 0, "32-bit samples"}},
  {"SC_rgb_small_odd.dcm",                {Expect::Equal, 0}},
  {"SC_rgb_small_odd_jpeg.dcm",           {Expect::Equal, 0}},
  {"SC_ybr_full_422_uncompressed.dcm",    {Expect::Equal, 1}},  // YBR->RGB rounding differs by 1,
  {"UN_sequence.dcm",                     {Expect::Error, 0, "not an image"}},
  {"badVR.dcm",                           {Expect::OursOnly}},  // pydicom fails on the bad VR,
  {"empty_charset_LEI.dcm",               {Expect::Error, 0, "not an image"}},
  {"image_dfl.dcm",                       {Expect::Equal, 0}},
  {"liver_1frame.dcm",                    {Expect::Equal, 0}},
  {"liver_expb_1frame.dcm",               {Expect::Equal, 0}},
  {"meta_missing_tsyntax.dcm",            {Expect::Error, 0, "invalid value representation"}},  // a group-1 element with no VR,
  {"nested_priv_SQ.dcm",                  {Expect::Error, 0, "Rows, Columns or Bits Allocated missing"}},
  {"no_meta.dcm",                         {Expect::Error, 0, "no reader recognised"}},  // no image attributes to go on,
  {"no_meta_group_length.dcm",            {Expect::Error, 0, "not an image"}},
  {"priv_SQ.dcm",                         {Expect::Error, 0, "not an image"}},
  {"reportsi.dcm",                        {Expect::Error, 0, "not an image"}},
  {"reportsi_with_empty_number_tags.dcm", {Expect::Error, 0, "not an image"}},
  {"rtdose.dcm",                          {Expect::Equal, 0}},
  {"rtdose_1frame.dcm",                   {Expect::Equal, 0}},
  {"rtdose_expb.dcm",                     {Expect::Equal, 0}},
  {"rtdose_expb_1frame.dcm",              {Expect::Equal, 0}},
  {"rtdose_rle.dcm",                      {Expect::Equal, 0}},
  {"rtdose_rle_1frame.dcm",               {Expect::Equal, 0}},
  {"rtplan.dcm",                          {Expect::Error, 0, "not an image"}},
  {"rtplan_truncated.dcm",                {Expect::Error, 0, "truncated or damaged"}},
  {"rtstruct.dcm",                        {Expect::Error, 0, "not an image"}},
  {"test-SR.dcm",                         {Expect::Error, 0, "not an image"}},
  {"waveform_ecg.dcm",                    {Expect::Error, 0, "not an image"}},
};
// clang-format on

// Files only Meridian decodes whose pixels the suite also holds losslessly in a syntax pydicom
// reads (pydicom's README: MR_small in every transfer syntax; the SC_rgb family is one 100x100
// RGB test image, SC_rgb_rle.dcm its RLE copy).
const std::map<std::string, std::string> kLosslessTwins = {
    {"MR_small_jpeg_ls_lossless.dcm", "MR_small.dcm"},
    {"SC_rgb_jpeg_gdcm.dcm", "SC_rgb_rle.dcm"},  // JPEG Lossless, process 14
};

// Our pixels as doubles in pydicom's order: [frame][row][column][channel].
std::vector<double> flatten(const io::OpenedImage& opened, std::vector<std::size_t>& shape) {
  std::vector<double> values;
  if (const auto* image = std::get_if<core::Image2D>(&opened.content)) {
    shape = {static_cast<std::size_t>(image->height()), static_cast<std::size_t>(image->width())};
    if (image->channels() > 1) shape.push_back(image->channels());
    for (int y = 0; y < image->height(); ++y)
      for (int x = 0; x < image->width(); ++x)
        for (int c = 0; c < image->channels(); ++c) values.push_back(image->valueAt(x, y, c));
  } else if (const auto* volume = std::get_if<core::Volume>(&opened.content)) {
    const auto& s = volume->size();
    shape = {static_cast<std::size_t>(s[2]), static_cast<std::size_t>(s[1]), static_cast<std::size_t>(s[0])};
    if (volume->channels() > 1) shape.push_back(volume->channels());
    for (int k = 0; k < s[2]; ++k)
      for (int j = 0; j < s[1]; ++j)
        for (int i = 0; i < s[0]; ++i)
          for (int c = 0; c < volume->channels(); ++c) values.push_back(volume->valueAt(i, j, k, c));
  }
  return values;
}

// Checks one file against its row of kTable (ASSERTs end this file's check only).
void checkFile(const fs::path& path, const Outcome& want, const nlohmann::json& reference, const fs::path& refDir) {
  const std::string name = path.filename().string();
  auto ours = io::ReaderRegistry::builtin().open(path);
  std::cout << "  " << name << ": " << (ours.ok() ? "loaded" : ours.error().describe()) << "\n";
  if (want.expect == Expect::Error) {
    ASSERT_FALSE(ours.ok()) << "expected a refusal mentioning '" << want.reason << "'";
    EXPECT_NE(ours.error().message.find(want.reason), std::string::npos) << ours.error().message;
    EXPECT_NE(ours.error().message.find(name), std::string::npos) << "the message names the file";
    return;
  }
  ASSERT_TRUE(ours.ok()) << ours.error().describe();
  std::vector<std::size_t> shape;
  const std::vector<double> values = flatten(ours.value(), shape);
  if (want.expect == Expect::OursOnly) {
    EXPECT_EQ(reference[name]["status"], "pydicom-error") << "pydicom decodes it now: make it Equal";
    EXPECT_FALSE(values.empty());
    // Where the suite holds the same pixels losslessly in a syntax pydicom reads, that twin's
    // pydicom decode is the expected value, exactly.
    const auto twin = kLosslessTwins.find(name);
    if (twin == kLosslessTwins.end()) return;
    const std::string& other = twin->second;
    ASSERT_EQ(reference[other]["status"], "ok") << other;
    ASSERT_EQ(shape, reference[other]["shape"].get<std::vector<std::size_t>>()) << "twin " << other;
    std::ifstream raw(refDir / (other + ".f64"), std::ios::binary);
    std::vector<double> peer(values.size());
    raw.read(reinterpret_cast<char*>(peer.data()), static_cast<std::streamsize>(peer.size() * sizeof(double)));
    ASSERT_TRUE(raw) << "twin reference array shorter than expected";
    double worst = 0;
    for (std::size_t i = 0; i < values.size(); ++i) worst = std::max(worst, std::abs(values[i] - peer[i]));
    std::cout << "    max |Meridian - pydicom's decode of the twin " << other << "| = " << worst << "\n";
    EXPECT_EQ(worst, 0.0) << "lossless: must equal pydicom's decode of " << other;
    return;
  }
  ASSERT_EQ(reference[name]["status"], "ok") << reference[name].dump();
  ASSERT_EQ(shape, reference[name]["shape"].get<std::vector<std::size_t>>());
  std::ifstream raw(refDir / (name + ".f64"), std::ios::binary);
  std::vector<double> peer(values.size());
  raw.read(reinterpret_cast<char*>(peer.data()), static_cast<std::streamsize>(peer.size() * sizeof(double)));
  ASSERT_TRUE(raw) << "reference array shorter than expected";
  double worst = 0;
  for (std::size_t i = 0; i < values.size(); ++i) worst = std::max(worst, std::abs(values[i] - peer[i]));
  std::cout << "    max |Meridian - pydicom| = " << worst << "\n";
  EXPECT_LE(worst, want.tolerance) << "max |Meridian - pydicom|";
}

}  // namespace

TEST(ReaderAcceptance, PydicomTestSuiteMatchesThePeerOrFailsWithAReason) {
  const fs::path refDir = MERIDIAN_TEST_PYDICOM_REFERENCE;
  std::ifstream refFile(refDir / "reference.json");
  ASSERT_TRUE(refFile) << "run the pydicom_reference fixture first";
  const nlohmann::json reference = nlohmann::json::parse(refFile);
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(testdata::kPydicom)) {
    if (entry.path().extension() != ".dcm") continue;
    const std::string name = entry.path().filename().string();
    SCOPED_TRACE(name);
    const auto expected = kTable.find(name);
    if (expected == kTable.end()) {
      ADD_FAILURE() << "new file in the acceptance set: add it to kTable";
      continue;
    }
    ++checked;
    checkFile(entry.path(), expected->second, reference, refDir);
  }
  EXPECT_EQ(checked, static_cast<int>(kTable.size())) << "files in the table are missing from the suite";
}

TEST(ReaderAcceptance, TheTwoEncodingsOfNm1JplyDecodeAlike) {
  // pydicom's README: JPGExtended.dcm is the "fixed version of JPEG-lossy.dcm" (NEMA's
  // NM1_JPLY, 12-bit lossy JPEG whose SOS parameters are wrong). Neither is decoded by
  // pydicom without plugins; the same compressed data must give the same pixels either way.
  auto fixed = io::ReaderRegistry::builtin().open(testdata::kPydicom / "JPGExtended.dcm");
  auto original = io::ReaderRegistry::builtin().open(testdata::kPydicom / "JPEG-lossy.dcm");
  ASSERT_TRUE(fixed.ok() && original.ok());
  std::vector<std::size_t> shapeA, shapeB;
  const auto a = flatten(fixed.value(), shapeA), b = flatten(original.value(), shapeB);
  ASSERT_EQ(shapeA, shapeB);
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a, b);
  EXPECT_GT(*std::max_element(a.begin(), a.end()), 255.0) << "12-bit data decoded as 8 bits";
}

// Real DICOM from another package (octave-dicom, copied into the demo set): an RLE
// ultrasound cine in PALETTE COLOR and a 512x512 CT slice. Both must equal pydicom exactly.
TEST(ReaderAcceptance, OctaveDicomSamplesMatchThePeer) {
  const fs::path refDir = MERIDIAN_TEST_PYDICOM_REFERENCE;
  std::ifstream refFile(refDir / "reference.json");
  ASSERT_TRUE(refFile) << "run the pydicom_reference fixture first";
  const nlohmann::json reference = nlohmann::json::parse(refFile);
  for (const char* name : {"us-echo-cine.dcm", "ct-ankle-512.dcm"}) {
    SCOPED_TRACE(name);
    checkFile(fs::path(testdata::kDemo) / name, {Expect::Equal, 0, ""}, reference, refDir);
  }
}

// Trailing padding after the last data element (zeros, random bytes, a partial element
// header), as files from real archives carry it: each padded copy of a real file must read
// as its original does, equal to pydicom's decode of the original (pydicom 2.3.1 reads every
// one of these copies too). Length bombs before it are still refused (MR_truncated,
// rtplan_truncated above; the corrupt corpus).
TEST(ReaderAcceptance, PaddedVariantsOfRealFilesReadAsTheOriginal) {
  const fs::path refDir = MERIDIAN_TEST_PYDICOM_REFERENCE;
  std::ifstream refFile(refDir / "reference.json");
  ASSERT_TRUE(refFile) << "run the pydicom_reference fixture first";
  const nlohmann::json reference = nlohmann::json::parse(refFile);
  const fs::path dir = fs::path(testing::TempDir()) / "meridian-padded";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::mt19937 random(13);
  auto randomBytes = [&](std::size_t n) {
    std::string bytes(n, '\0');
    for (auto& b : bytes) b = static_cast<char>(random() & 0xFF);
    return bytes;
  };
  const std::vector<std::pair<std::string, std::string>> paddings = {
      {"zeros3", std::string(3, '\0')},
      {"zeros8", std::string(8, '\0')},
      {"zeros1k", std::string(1024, '\0')},
      {"zeros2.5M", std::string(2500000, '\0')},
      {"random7", randomBytes(7)},
      {"random64", randomBytes(64)},
      {"random4k", randomBytes(4096)},
      {"partial-header", std::string("\xE0\x7F\x10\x00OW", 6)},  // a Pixel Data header cut short
      {"group0-header", std::string("\x00\x00\x00\x00UL\x04\x00", 8)},  // an element of group 0000, no value
  };
  const std::vector<fs::path> originals = {
      testdata::kPydicom / "CT_small.dcm",           // explicit VR little endian
      testdata::kPydicom / "MR_small_implicit.dcm",  // implicit VR
      testdata::kPydicom / "MR_small_bigendian.dcm", // explicit VR big endian
      testdata::kPydicom / "SC_rgb_rle.dcm",         // encapsulated (RLE) pixel data
      fs::path(testdata::kDemo) / "ct-ankle-512.dcm",
  };
  int checked = 0;
  for (const auto& original : originals) {
    std::ifstream in(original, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_FALSE(bytes.empty()) << original;
    for (const auto& [label, padding] : paddings) {
      // Random bytes after encapsulated pixel data start an item DCMTK tries to parse; the
      // length scan does not walk into undefined-length elements, so only zeros are claimed there.
      if (original.filename() == "SC_rgb_rle.dcm" && label.rfind("zeros", 0) != 0) continue;
      const fs::path padded = dir / (original.stem().string() + "-" + label + ".dcm");
      std::ofstream(padded, std::ios::binary) << bytes << padding;
      SCOPED_TRACE(padded.filename().string());
      // Compared with pydicom's decode of the original.
      const std::string refName = original.filename().string();
      auto ours = io::ReaderRegistry::builtin().open(padded);
      ASSERT_TRUE(ours.ok()) << ours.error().describe();
      std::vector<std::size_t> shape;
      const std::vector<double> values = flatten(ours.value(), shape);
      ASSERT_EQ(reference[refName]["status"], "ok");
      ASSERT_EQ(shape, reference[refName]["shape"].get<std::vector<std::size_t>>());
      std::ifstream raw(refDir / (refName + ".f64"), std::ios::binary);
      std::vector<double> peer(values.size());
      raw.read(reinterpret_cast<char*>(peer.data()), static_cast<std::streamsize>(peer.size() * sizeof(double)));
      ASSERT_TRUE(raw);
      double worst = 0;
      for (std::size_t i = 0; i < values.size(); ++i) worst = std::max(worst, std::abs(values[i] - peer[i]));
      EXPECT_EQ(worst, 0.0);
      ++checked;
    }
  }
  std::cout << "  " << checked << " padded variants equal pydicom's decode of their original\n";
  EXPECT_EQ(checked, 40);
}

// The padding rule does not open a door for damaged files: an element before the Pixel
// Data that claims more bytes than remain, or a Pixel Data cut short, is refused even
// when zeros follow.
TEST(ReaderAcceptance, LengthBombsAreRefusedEvenWithPaddingAfter) {
  std::ifstream in(testdata::kPydicom / "CT_small.dcm", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const fs::path dir = fs::path(testing::TempDir()) / "meridian-padded-bombs";
  fs::create_directories(dir);
  // Pixel Data (7FE0,0010) OW: its 4-byte length is 4 bytes after "OW\0\0".
  const std::size_t at = bytes.rfind(std::string("\xE0\x7F\x10\x00OW\x00\x00", 8));
  ASSERT_NE(at, std::string::npos);
  std::string bomb = bytes;
  const std::uint32_t huge = 0x7FFFFFF0u;
  std::memcpy(&bomb[at + 8], &huge, 4);
  std::ofstream(dir / "pixel-bomb.dcm", std::ios::binary) << bomb << std::string(4096, '\0');
  auto r = io::ReaderRegistry::builtin().open(dir / "pixel-bomb.dcm");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("truncated or damaged"), std::string::npos) << r.error().message;
  // Cut inside the Pixel Data, then zeros: truncated, not padded.
  std::ofstream(dir / "cut.dcm", std::ios::binary) << bytes.substr(0, bytes.size() - 5000) << std::string(100, '\0');
  auto cut = io::ReaderRegistry::builtin().open(dir / "cut.dcm");
  EXPECT_FALSE(cut.ok());
}
