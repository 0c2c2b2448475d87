#pragma once
// Writes a safetensors file for Meridian's own checkpoints, atomically (temporary file,
// flush, rename): a crash leaves the old checkpoint or the new one, never a mix.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "meridian/core/Result.hpp"
#include "meridian/model/TensorDType.hpp"

namespace meridian::model {

struct TensorToWrite {
  std::string name;
  TensorDType dtype = TensorDType::F32;
  std::vector<std::int64_t> shape;
  const void* data = nullptr;  // little-endian, contiguous, shape x dtype bytes
};

/// Tensors are laid out in name order with no gaps, as the reference writer does.
core::Status writeSafeTensors(const std::filesystem::path& path, const std::vector<TensorToWrite>& tensors,
                              const std::map<std::string, std::string>& metadata = {});

}  // namespace meridian::model
