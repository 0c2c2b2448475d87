#include "InferenceLayerNorm.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "Bf16Bits.hpp"
#include "ChunkPool.hpp"
#include "VectorClones.hpp"

namespace meridian::model {
namespace {

inline void store(float* out, std::int64_t i, float v) { out[i] = v; }
inline void store(std::uint16_t* out, std::int64_t i, float v) { out[i] = bf16Bits(v); }

// Sixteen partial sums so the compiler can keep them in vector registers (a single float
// accumulator forbids reordering the additions).
constexpr int kLanes = 16;

template <typename Out>
inline void normRows(const float* x, const float* gamma, const float* beta, float eps, std::int64_t rows, std::int64_t d,
              Out* out) {
  for (std::int64_t r = 0; r < rows; ++r, x += d, out += d) {
    float partial[kLanes] = {};
    std::int64_t i = 0;
    for (; i + kLanes <= d; i += kLanes)
      for (int l = 0; l < kLanes; ++l) partial[l] += x[i + l];
    float sum = 0.f;
    for (; i < d; ++i) sum += x[i];
    for (float p : partial) sum += p;
    const float mean = sum / static_cast<float>(d);
    // Two passes (mean, then squared deviations): no cancellation for rows far from zero.
    float partialSq[kLanes] = {};
    for (i = 0; i + kLanes <= d; i += kLanes)
      for (int l = 0; l < kLanes; ++l) {
        const float c = x[i + l] - mean;
        partialSq[l] += c * c;
      }
    float sq = 0.f;
    for (; i < d; ++i) sq += (x[i] - mean) * (x[i] - mean);
    for (float p : partialSq) sq += p;
    const float rstd = 1.f / std::sqrt(sq / static_cast<float>(d) + eps);
    for (i = 0; i < d; ++i) {
      const float g = gamma != nullptr ? gamma[i] : 1.f, b = beta != nullptr ? beta[i] : 0.f;
      store(out, i, (x[i] - mean) * rstd * g + b);
    }
  }
}

MERIDIAN_VECTOR_CLONES void normRowsF32(const float* x, const float* gamma, const float* beta, float eps,
                                        std::int64_t rows, std::int64_t d, float* out) {
  normRows(x, gamma, beta, eps, rows, d, out);
}

MERIDIAN_VECTOR_CLONES void normRowsBf16(const float* x, const float* gamma, const float* beta, float eps,
                                         std::int64_t rows, std::int64_t d, std::uint16_t* out) {
  normRows(x, gamma, beta, eps, rows, d, out);
}

// Rows per chunk: ~64 KB of input per chunk, enough chunks for a late thread to leave
// little behind (ChunkPool.hpp).
std::int64_t chunkRows(std::int64_t d) { return std::max<std::int64_t>(1, 16384 / std::max<std::int64_t>(d, 1)); }

}  // namespace

void inferenceLayerNorm(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, double eps,
                        at::Tensor& out) {
  if (x.scalar_type() != at::kFloat || !x.is_contiguous() || !out.is_contiguous() || x.sizes() != out.sizes() ||
      (out.scalar_type() != at::kFloat && out.scalar_type() != at::kBFloat16))
    throw std::invalid_argument("inferenceLayerNorm: contiguous fp32 input, fp32 or bf16 output of its shape");
  const std::int64_t d = x.size(-1), m = x.numel() / std::max<std::int64_t>(d, 1), rows = chunkRows(d);
  const at::Tensor g = weight.defined() ? weight.to(at::kFloat).contiguous() : weight;
  const at::Tensor b = bias.defined() ? bias.to(at::kFloat).contiguous() : bias;
  const float* gp = g.defined() ? g.data_ptr<float>() : nullptr;
  const float* bp = b.defined() ? b.data_ptr<float>() : nullptr;
  const float* xp = x.data_ptr<float>();
  const bool toBf16 = out.scalar_type() == at::kBFloat16;
  void* op = out.data_ptr();
  runChunks(static_cast<int>((m + rows - 1) / rows), [&](int c) {
    const std::int64_t first = c * rows, count = std::min(rows, m - first);
    if (toBf16)
      normRowsBf16(xp + first * d, gp, bp, static_cast<float>(eps), count, d,
                   static_cast<std::uint16_t*>(op) + first * d);
    else
      normRowsF32(xp + first * d, gp, bp, static_cast<float>(eps), count, d, static_cast<float*>(op) + first * d);
  });
}

}  // namespace meridian::model
