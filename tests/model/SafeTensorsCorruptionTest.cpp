// Damaged and hostile safetensors files: each must be refused with an error that says
// what is wrong, before anything sized by the header is allocated.

#include <gtest/gtest.h>

#include <cstdint>

#include "TempDir.hpp"
#include "meridian/model/SafeTensorsFile.hpp"

using namespace meridian;
using namespace meridian::model;
using namespace meridian::model::test;

namespace {

std::string lengthPrefix(std::uint64_t n) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[static_cast<std::size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
  return s;
}

// A file from a header string and a data section of `dataBytes` bytes.
std::string makeFile(const std::string& header, std::size_t dataBytes) {
  return lengthPrefix(header.size()) + header + std::string(dataBytes, '\x01');
}

class SafeTensorsCorruption : public ::testing::Test {
 protected:
  // Opens `bytes` as a file and expects a Corrupt error whose message contains `expected`.
  void expectRefused(const std::string& bytes, const std::string& expected,
                     core::ErrorCode code = core::ErrorCode::Corrupt) {
    const auto path = dir_ / "bad.safetensors";
    writeBytes(path, bytes);
    auto file = SafeTensorsFile::open(path);
    ASSERT_FALSE(file.ok()) << "accepted a file that should fail with: " << expected;
    EXPECT_EQ(file.error().code, code) << file.error().describe();
    EXPECT_NE(file.error().message.find(expected), std::string::npos)
        << "message '" << file.error().message << "' does not mention '" << expected << "'";
    EXPECT_NE(file.error().message.find(path.string()), std::string::npos) << "the message should name the file";
  }
  TempDir dir_;
};

const std::string kGood = R"({"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)"
                          R"("b":{"dtype":"U8","shape":[4],"data_offsets":[24,28]}})";

TEST_F(SafeTensorsCorruption, WellFormedControlFileOpens) {
  // The control for every case below: the same layout intact is accepted.
  const auto path = dir_ / "good.safetensors";
  writeBytes(path, makeFile(kGood, 28));
  auto file = SafeTensorsFile::open(path);
  ASSERT_TRUE(file.ok()) << file.error().describe();
  ASSERT_EQ(file.value().entries().size(), 2u);
  EXPECT_EQ(file.value().find("a")->byteSize(), 24u);
  EXPECT_EQ(file.value().find("b")->dtype, TensorDType::U8);
}

TEST_F(SafeTensorsCorruption, ShorterThanTheLengthField) {
  expectRefused("abc", "shorter than the 8-byte");
}

TEST_F(SafeTensorsCorruption, TruncatedData) {
  const std::string whole = makeFile(kGood, 28);
  expectRefused(whole.substr(0, whole.size() - 5), "truncated");
}

TEST_F(SafeTensorsCorruption, TruncatedHeader) {
  const std::string whole = makeFile(kGood, 28);
  expectRefused(whole.substr(0, 8 + kGood.size() / 2), "the header claims");
}

TEST_F(SafeTensorsCorruption, HeaderLengthLargerThanFile) {
  expectRefused(lengthPrefix(1000) + "{}", "header claims 1000 bytes but the file has only 2");
}

TEST_F(SafeTensorsCorruption, AbsurdHeaderLength) {
  // 2^63: must be refused from the number alone, not by trying to allocate it.
  expectRefused(lengthPrefix(std::uint64_t{1} << 63) + "{}", "more than the");
}

TEST_F(SafeTensorsCorruption, BadJson) {
  expectRefused(makeFile(R"({"a":{"dtype":"F32",)", 0), "not valid JSON");
}

TEST_F(SafeTensorsCorruption, HeaderNotAnObject) {
  expectRefused(makeFile("[1,2,3]", 0), "not a JSON object");
}

TEST_F(SafeTensorsCorruption, OffsetsOutOfRange) {
  expectRefused(makeFile(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", 8), "ending at byte 16");
}

TEST_F(SafeTensorsCorruption, OffsetsReversed) {
  expectRefused(makeFile(R"({"a":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}})", 4), "end before they begin");
}

TEST_F(SafeTensorsCorruption, OverlappingTensors) {
  expectRefused(makeFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                         R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                         12),
                "overlap");
}

TEST_F(SafeTensorsCorruption, GapBetweenTensors) {
  expectRefused(makeFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                         R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                         12),
                "belong to no tensor");
}

TEST_F(SafeTensorsCorruption, TrailingBytes) {
  expectRefused(makeFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 9), "cover 4 bytes");
}

TEST_F(SafeTensorsCorruption, ShapeTimesDTypeDiffersFromByteCount) {
  expectRefused(makeFile(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8), "needs 12 bytes");
}

TEST_F(SafeTensorsCorruption, DTypeDiffersFromByteCount) {
  // Same shape, but F16 needs half the bytes the offsets give.
  expectRefused(makeFile(R"({"a":{"dtype":"F16","shape":[2],"data_offsets":[0,8]}})", 8), "F16 needs 4 bytes");
}

TEST_F(SafeTensorsCorruption, ShapeOverflowingSixtyFourBits) {
  expectRefused(makeFile(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,0]}})", 0),
                "shape larger than the file");
}

TEST_F(SafeTensorsCorruption, UnknownDType) {
  expectRefused(makeFile(R"({"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}})", 1), "F8_E4M3",
                core::ErrorCode::Unsupported);
}

TEST_F(SafeTensorsCorruption, NegativeDimension) {
  expectRefused(makeFile(R"({"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}})", 1), "non-negative integer");
}

TEST_F(SafeTensorsCorruption, MissingFields) {
  expectRefused(makeFile(R"({"a":{"dtype":"U8","data_offsets":[0,1]}})", 1), "no shape");
  expectRefused(makeFile(R"({"a":{"shape":[1],"data_offsets":[0,1]}})", 1), "no dtype");
  expectRefused(makeFile(R"({"a":{"dtype":"U8","shape":[1]}})", 1), "data_offsets");
}

TEST_F(SafeTensorsCorruption, MetadataMustBeStrings) {
  expectRefused(makeFile(R"({"__metadata__":{"epoch":3}})", 0), "__metadata__ value 'epoch'");
}

TEST_F(SafeTensorsCorruption, MissingFileIsNotFound) {
  auto file = SafeTensorsFile::open(dir_ / "nope.safetensors");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().code, core::ErrorCode::NotFound);
}

TEST_F(SafeTensorsCorruption, FileTruncatedAfterOpenFailsOnRead) {
  const auto path = dir_ / "shrinks.safetensors";
  writeBytes(path, makeFile(kGood, 28));
  auto file = SafeTensorsFile::open(path);
  ASSERT_TRUE(file.ok());
  std::filesystem::resize_file(path, 8 + kGood.size() + 10);
  auto bytes = file.value().readBytes(*file.value().find("b"));
  ASSERT_FALSE(bytes.ok());
  EXPECT_NE(bytes.error().message.find("cannot read tensor 'b'"), std::string::npos) << bytes.error().describe();
}

}  // namespace
