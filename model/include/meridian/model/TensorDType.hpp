#pragma once
// Element types a safetensors file can hold that Meridian reads. Torch-free: the reader
// and writer are plain C++ so they can be tested (and used by tools) without LibTorch.

#include <cstddef>
#include <optional>
#include <string_view>

namespace meridian::model {

enum class TensorDType { F32, F16, BF16, F64, I64, I32, I16, I8, U8, Bool };

/// Bytes per element (Bool is one byte in safetensors).
std::size_t bytesPerElement(TensorDType dtype);
/// The safetensors spelling: "F32", "BF16", "BOOL", ...
const char* toString(TensorDType dtype);
/// Parses the safetensors spelling; nullopt for anything Meridian does not read.
std::optional<TensorDType> parseTensorDType(std::string_view text);

}  // namespace meridian::model
