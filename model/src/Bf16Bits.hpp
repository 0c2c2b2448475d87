#pragma once
// fp32 <-> bf16 bits as the hand-written loops store and read them (LayerNorm's output,
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

// bf16 bits -> fp32: exact (the bits are an fp32's upper half).
inline float bf16Value(std::uint16_t bits) {
  const std::uint32_t widened = static_cast<std::uint32_t>(bits) << 16;
  float value;
  std::memcpy(&value, &widened, sizeof value);
  return value;
}

}  // namespace meridian::model
