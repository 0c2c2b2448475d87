#include "meridian/model/TensorDType.hpp"

namespace meridian::model {
namespace {
struct DTypeInfo {
  TensorDType dtype;
  const char* name;
  std::size_t bytes;
};
constexpr DTypeInfo kDTypes[] = {
    {TensorDType::F32, "F32", 4},   {TensorDType::F16, "F16", 2}, {TensorDType::BF16, "BF16", 2},
    {TensorDType::F64, "F64", 8},   {TensorDType::I64, "I64", 8}, {TensorDType::I32, "I32", 4},
    {TensorDType::I16, "I16", 2},   {TensorDType::I8, "I8", 1},   {TensorDType::U8, "U8", 1},
    {TensorDType::Bool, "BOOL", 1},
};
}  // namespace

std::size_t bytesPerElement(TensorDType dtype) {
  for (const auto& info : kDTypes)
    if (info.dtype == dtype) return info.bytes;
  return 0;
}

const char* toString(TensorDType dtype) {
  for (const auto& info : kDTypes)
    if (info.dtype == dtype) return info.name;
  return "?";
}

std::optional<TensorDType> parseTensorDType(std::string_view text) {
  for (const auto& info : kDTypes)
    if (text == info.name) return info.dtype;
  return std::nullopt;
}

}  // namespace meridian::model
