#pragma once
// Safetensors <-> torch tensors. Tensors are read straight into their own storage
// (no intermediate buffer) and keep their file dtype.

#include <ATen/ATen.h>

#include <filesystem>
#include <map>
#include <string>

#include "meridian/core/Result.hpp"

namespace meridian::model {

using TensorMap = std::map<std::string, at::Tensor>;

core::Result<TensorMap> loadSafeTensors(const std::filesystem::path& path);
/// Writes CPU copies of the tensors (any dtype the format has) atomically.
core::Status saveSafeTensors(const std::filesystem::path& path, const TensorMap& tensors,
                             const std::map<std::string, std::string>& metadata = {});

}  // namespace meridian::model
