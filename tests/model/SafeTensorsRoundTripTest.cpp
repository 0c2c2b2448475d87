#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "TempDir.hpp"
#include "meridian/model/SafeTensorsFile.hpp"
#include "meridian/model/SafeTensorsWriter.hpp"

using namespace meridian;
using namespace meridian::model;
using namespace meridian::model::test;

namespace {

TEST(SafeTensorsRoundTrip, EveryDTypeShapeAndMetadataSurvive) {
  TempDir dir;
  const std::vector<float> f32{1.5f, -2.0f, 3.25f, 0.0f, 7.0f, -8.5f};
  const std::vector<double> f64{3.141592653589793};
  const std::vector<std::int64_t> i64{-1, 1ll << 40};
  const std::vector<std::uint16_t> f16{0x3c00, 0xc000};   // 1.0, -2.0 as IEEE half bits
  const std::vector<std::uint16_t> bf16{0x3f80, 0x4049};  // 1.0, ~3.14 as bfloat16 bits
  const std::vector<std::int32_t> i32{7};
  const std::vector<std::int16_t> i16{-3, 4};
  const std::vector<std::int8_t> i8{-128, 127};
  const std::vector<std::uint8_t> u8{0, 255, 9};
  const std::vector<std::uint8_t> boolean{1, 0};
  std::vector<TensorToWrite> tensors{
      {"w.f32", TensorDType::F32, {2, 3}, f32.data()},    {"w.f64", TensorDType::F64, {1}, f64.data()},
      {"w.i64", TensorDType::I64, {2}, i64.data()},       {"w.f16", TensorDType::F16, {2}, f16.data()},
      {"w.bf16", TensorDType::BF16, {1, 2}, bf16.data()}, {"w.i32", TensorDType::I32, {}, i32.data()},
      {"w.i16", TensorDType::I16, {2}, i16.data()},       {"w.i8", TensorDType::I8, {2}, i8.data()},
      {"w.u8", TensorDType::U8, {3}, u8.data()},          {"w.bool", TensorDType::Bool, {2}, boolean.data()},
      {"empty", TensorDType::F32, {0, 4}, nullptr},
  };
  const auto path = dir / "all.safetensors";
  auto status = writeSafeTensors(path, tensors, {{"producer", "meridian"}});
  ASSERT_TRUE(status.ok()) << status.error().describe();

  auto file = SafeTensorsFile::open(path);
  ASSERT_TRUE(file.ok()) << file.error().describe();
  EXPECT_EQ(file.value().metadata().at("producer"), "meridian");
  ASSERT_EQ(file.value().entries().size(), tensors.size());
  for (const auto& t : tensors) {
    const TensorEntry* e = file.value().find(t.name);
    ASSERT_NE(e, nullptr) << t.name;
    EXPECT_EQ(e->dtype, t.dtype) << t.name;
    EXPECT_EQ(e->shape, t.shape) << t.name;
    auto bytes = file.value().readBytes(*e);
    ASSERT_TRUE(bytes.ok()) << bytes.error().describe();
    ASSERT_EQ(bytes.value().size(), e->elementCount() * bytesPerElement(t.dtype)) << t.name;
    if (!bytes.value().empty()) {
      EXPECT_EQ(std::memcmp(bytes.value().data(), t.data, bytes.value().size()), 0) << t.name;
    }
  }
  // The data section starts 8-byte aligned, as the reference writer leaves it.
  const std::string raw = readBytes(path);
  std::uint64_t headerLength = 0;
  std::memcpy(&headerLength, raw.data(), 8);
  EXPECT_EQ(headerLength % 8, 0u);
  // A reader that is not Meridian's (struct, json and numpy in safetensors_peer.py) sees the
  // same names, dtypes, shapes, offsets and values.
  const std::string peer = std::string("'") + MERIDIAN_PEER_PYTHON + "' '" + MERIDIAN_SAFETENSORS_PEER_SCRIPT + "' '" +
                           path.string() + "'";
  EXPECT_EQ(std::system(peer.c_str()), 0) << peer;
  // No temporary file is left beside the result.
  int files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) ++files;
  EXPECT_EQ(files, 1);
}

TEST(SafeTensorsRoundTrip, WriterRefusesDuplicateAndReservedNames) {
  TempDir dir;
  const float v = 1.0f;
  auto dup =
      writeSafeTensors(dir / "x.safetensors", {{"a", TensorDType::F32, {1}, &v}, {"a", TensorDType::F32, {1}, &v}});
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().message.find("'a' given twice"), std::string::npos);
  auto reserved = writeSafeTensors(dir / "x.safetensors", {{"__metadata__", TensorDType::F32, {1}, &v}});
  EXPECT_FALSE(reserved.ok());
  auto noData = writeSafeTensors(dir / "x.safetensors", {{"a", TensorDType::F32, {1}, nullptr}});
  EXPECT_FALSE(noData.ok());
  EXPECT_FALSE(std::filesystem::exists(dir / "x.safetensors"));
}

TEST(SafeTensorsRoundTrip, ReadIntoWrongSizedBufferIsRefused) {
  TempDir dir;
  const float v[2] = {1.0f, 2.0f};
  ASSERT_TRUE(writeSafeTensors(dir / "x.safetensors", {{"a", TensorDType::F32, {2}, v}}).ok());
  auto file = SafeTensorsFile::open(dir / "x.safetensors");
  ASSERT_TRUE(file.ok());
  float small[1];
  auto status = file.value().readBytes(*file.value().find("a"), small, sizeof(small));
  EXPECT_FALSE(status.ok());
}

TEST(SafeTensorsRoundTrip, DTypeNamesParseBack) {
  for (auto d : {TensorDType::F32, TensorDType::F16, TensorDType::BF16, TensorDType::F64, TensorDType::I64,
                 TensorDType::I32, TensorDType::I16, TensorDType::I8, TensorDType::U8, TensorDType::Bool})
    EXPECT_EQ(parseTensorDType(toString(d)), d);
  EXPECT_FALSE(parseTensorDType("f32").has_value());
  EXPECT_EQ(bytesPerElement(TensorDType::BF16), 2u);
  EXPECT_EQ(bytesPerElement(TensorDType::Bool), 1u);
}

}  // namespace
