#pragma once
// exp(x) for x <= 0 in plain, branch-free float arithmetic, so the loops that call it
// vectorise (the attention's softmax, GELU's gradient); Cephes' expf polynomial, ~1 ulp.

#include <cstdint>
#include <cstring>

namespace meridian::model {

// exp(x) for x <= 0 (e.g. the scores minus their row's maximum). Branch-free, so the row loops
// vectorise: x = n ln2 + r with |r| <= ln2/2, exp(r) by Cephes' expf polynomial, 2^n built in
// the exponent bits. Below -87.3 the result stays at ~1e-38 (nothing next to the row's 1).
inline float expNonPositive(float x) {
  x = x < -87.3f ? -87.3f : x;                                  // a NaN passes through and makes the result NaN
  const float shifted = x * 1.44269504088896341f + 12582912.f;  // 1.5 * 2^23: n in the low bits
  const float n = shifted - 12582912.f;
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float y = p * r * r + r + 1.f;
  std::uint32_t bits;
  std::memcpy(&bits, &shifted, sizeof bits);
  const std::uint32_t scaleBits = (bits - 0x4B400000u + 127u) << 23;  // 2^n, n in [-126, 0]
  float scale;
  std::memcpy(&scale, &scaleBits, sizeof scale);
  return y * scale;
}

}  // namespace meridian::model
