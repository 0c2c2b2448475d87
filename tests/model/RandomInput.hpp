#pragma once
// Deterministic pseudo-random model input in [-2, 2) for tests (a 32-bit LCG: the same
// numbers on every platform and LibTorch version).

#include <cstdint>
#include <vector>

#include "meridian/model/InputBatch.hpp"

namespace meridian::model::test {

inline InputBatch randomInput(int batch, int size, unsigned seed) {
  InputBatch in{batch, size, size, std::vector<float>(static_cast<std::size_t>(batch) * 3 * size * size)};
  std::uint32_t state = seed;
  for (float& v : in.data) {
    state = state * 1664525u + 1013904223u;
    v = static_cast<float>(state >> 8) / static_cast<float>(1u << 24) * 4.0f - 2.0f;
  }
  return in;
}

}  // namespace meridian::model::test
