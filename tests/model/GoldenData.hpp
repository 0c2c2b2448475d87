#pragma once
// Reads float tensors that the Python peer wrote (tests/model/make_golden.py) through
// Meridian's own safetensors reader.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "meridian/model/SafeTensorsFile.hpp"

namespace meridian::model::test {

inline std::filesystem::path goldenDir() {
  return MERIDIAN_MODEL_GOLDEN_DIR;
}

struct FloatTensor {
  std::vector<std::int64_t> shape;
  std::vector<float> data;
};

inline FloatTensor readFloatTensor(const SafeTensorsFile& file, const std::string& name) {
  FloatTensor out;
  const TensorEntry* entry = file.find(name);
  if (entry == nullptr || entry->dtype != TensorDType::F32) {
    ADD_FAILURE() << "golden tensor '" << name << "' missing or not F32";
    return out;
  }
  out.shape = entry->shape;
  out.data.resize(static_cast<std::size_t>(entry->elementCount()));
  auto status = file.readBytes(*entry, out.data.data(), out.data.size() * sizeof(float));
  if (!status) ADD_FAILURE() << status.error().describe();
  return out;
}

/// max |a - b| / max |b|: the error relative to the reference's scale (per-element
/// ratios blow up on values that happen to be near zero).
inline double maxRelativeError(const std::vector<float>& actual, const std::vector<float>& reference) {
  if (actual.size() != reference.size()) return INFINITY;
  double diff = 0.0, scale = 0.0;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    diff = std::max(diff, std::abs(static_cast<double>(actual[i]) - reference[i]));
    scale = std::max(scale, std::abs(static_cast<double>(reference[i])));
  }
  return scale > 0.0 ? diff / scale : diff;
}

}  // namespace meridian::model::test
