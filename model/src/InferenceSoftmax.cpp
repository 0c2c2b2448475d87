#include "InferenceSoftmax.hpp"

#include <cstring>
#include <limits>

#include "Bf16Bits.hpp"
#include "ExpNonPositive.hpp"
#include "VectorClones.hpp"

namespace meridian::model {
namespace {

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
