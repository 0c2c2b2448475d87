#include "TensorIo.hpp"

#include <optional>
#include <vector>

#include "meridian/model/SafeTensorsFile.hpp"
#include "meridian/model/SafeTensorsWriter.hpp"

namespace meridian::model {
namespace {

// safetensors is little-endian; so is every machine Meridian targets (x86-64, aarch64).
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors I/O assumes a little-endian host");

at::ScalarType toScalarType(TensorDType dtype) {
  switch (dtype) {
    case TensorDType::F32:
      return at::kFloat;
    case TensorDType::F16:
      return at::kHalf;
    case TensorDType::BF16:
      return at::kBFloat16;
    case TensorDType::F64:
      return at::kDouble;
    case TensorDType::I64:
      return at::kLong;
    case TensorDType::I32:
      return at::kInt;
    case TensorDType::I16:
      return at::kShort;
    case TensorDType::I8:
      return at::kChar;
    case TensorDType::U8:
      return at::kByte;
    case TensorDType::Bool:
      return at::kBool;
  }
  return at::kFloat;
}

std::optional<TensorDType> toDType(at::ScalarType type) {
  for (auto d : {TensorDType::F32, TensorDType::F16, TensorDType::BF16, TensorDType::F64, TensorDType::I64,
                 TensorDType::I32, TensorDType::I16, TensorDType::I8, TensorDType::U8, TensorDType::Bool})
    if (toScalarType(d) == type) return d;
  return std::nullopt;
}

}  // namespace

core::Result<TensorMap> loadSafeTensors(const std::filesystem::path& path) {
  auto file = SafeTensorsFile::open(path);
  if (!file) return file.error();
  TensorMap tensors;
  for (const auto& entry : file.value().entries()) {
    // Sizes were checked against the file by open(): this allocation is bounded by it.
    at::Tensor t = at::empty(entry.shape, at::TensorOptions().dtype(toScalarType(entry.dtype)));
    auto status = file.value().readBytes(entry, t.data_ptr(), t.nbytes());
    if (!status) return status.error();
    tensors.emplace(entry.name, std::move(t));
  }
  return tensors;
}

core::Status saveSafeTensors(const std::filesystem::path& path, const TensorMap& tensors,
                             const std::map<std::string, std::string>& metadata) {
  std::vector<at::Tensor> keep;  // contiguous CPU copies outlive the write
  std::vector<TensorToWrite> toWrite;
  for (const auto& [name, tensor] : tensors) {
    const auto dtype = toDType(tensor.scalar_type());
    if (!dtype)
      return core::makeError(core::ErrorCode::Unsupported,
                             "tensor '" + name + "' has a type safetensors cannot store here");
    keep.push_back(tensor.detach().to(at::kCPU).contiguous());
    toWrite.push_back({name, *dtype, keep.back().sizes().vec(), keep.back().data_ptr()});
  }
  return writeSafeTensors(path, toWrite, metadata);
}

}  // namespace meridian::model
