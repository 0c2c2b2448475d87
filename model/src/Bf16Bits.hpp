#pragma once
// fp32 -> bf16 bits as the inference path's hand-written loops store them (LayerNorm's output,
// the attention's probabilities): round to nearest even, c10::BFloat16's rule, a NaN kept a
// quiet NaN. Branch-free apart from the NaN select, so the loops that call it vectorise.

#include <cstdint>
#include <cstring>

namespace meridian::model {

inline std::uint16_t bf16Bits(float value) {
  std::uint32_t u;
  std::memcpy(&u, &value, sizeof u);
  const std::uint32_t rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
  return (u & 0x7fffffffu) > 0x7f800000u ? std::uint16_t{0x7fc0} : static_cast<std::uint16_t>(rounded);
}

}  // namespace meridian::model
