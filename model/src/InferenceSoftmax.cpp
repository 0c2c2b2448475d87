#include "InferenceSoftmax.hpp"

#include <cstring>
#include <limits>

#include "Bf16Bits.hpp"
#include "VectorClones.hpp"

namespace meridian::model {
namespace {

// exp(x) for x <= 0 (the scores minus their row's maximum). Branch-free, so the row loops
// vectorise: x = n ln2 + r with |r| <= ln2/2, exp(r) by Cephes' expf polynomial, 2^n built in
// the exponent bits. Below -87.3 the result stays at ~1e-38 (nothing next to the row's 1).
inline float expNonPositive(float x) {
  x = x < -87.3f ? -87.3f : x;  // a NaN passes through and makes the result NaN
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

inline void store(float* out, std::int64_t i, float v) { out[i] = v; }
inline void store(std::uint16_t* out, std::int64_t i, float v) { out[i] = bf16Bits(v); }

// The reductions as OpenMP simd loops (this file is built with -fopenmp-simd, no threads):
// the compiler may then keep one partial maximum and sum per vector lane, which plain loops
// forbid (float addition is not associative) and which GCC 12 did not find for the maximum
// from sixteen hand-kept partials either.
template <typename Out>
inline void rows(float* scores, std::int64_t count, std::int64_t cols, Out* out) {
  for (std::int64_t row = 0; row < count; ++row, scores += cols, out += cols) {
    float max = -std::numeric_limits<float>::infinity();
#pragma omp simd reduction(max : max)
    for (std::int64_t i = 0; i < cols; ++i) max = scores[i] > max ? scores[i] : max;
    float sum = 0.f;
#pragma omp simd reduction(+ : sum)
    for (std::int64_t i = 0; i < cols; ++i) {
      const float e = expNonPositive(scores[i] - max);
      scores[i] = e;
      sum += e;
    }
    const float inverse = 1.f / sum;
#pragma omp simd
    for (std::int64_t i = 0; i < cols; ++i) store(out, i, scores[i] * inverse);
  }
}

}  // namespace

MERIDIAN_VECTOR_CLONES void softmaxRows(float* scores, std::int64_t count, std::int64_t cols, float* out) {
  rows(scores, count, cols, out);
}

MERIDIAN_VECTOR_CLONES void softmaxRows(float* scores, std::int64_t count, std::int64_t cols, std::uint16_t* out) {
  rows(scores, count, cols, out);
}

}  // namespace meridian::model
