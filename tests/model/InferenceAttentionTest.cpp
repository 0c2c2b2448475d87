// The inference engine's attention core (InferenceLinear.hpp: inferenceAttention) with each
// backend built in, against softmax(q k^T / sqrt(d)) v written out per head, including products
// small enough for LibTorch's small-matrix kernel, which reads its output buffer.

#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>

#include "BuiltBackends.hpp"
#include "InferenceLinear.hpp"

using namespace meridian::model;
using meridian::model::test::builtBackends;

namespace {

// qkv [B*T, 3D] -> tokens [B*T, D], per head from slices, in double.
at::Tensor reference(const at::Tensor& qkv, std::int64_t batch, std::int64_t heads) {
  const auto d = qkv.size(1) / 3, headDim = d / heads;
  const auto x = qkv.to(at::kDouble).view({batch, -1, 3 * d});
  std::vector<at::Tensor> out;
  for (std::int64_t h = 0; h < heads; ++h) {
    const auto q = x.slice(2, h * headDim, (h + 1) * headDim);
    const auto k = x.slice(2, d + h * headDim, d + (h + 1) * headDim);
    const auto v = x.slice(2, 2 * d + h * headDim, 2 * d + (h + 1) * headDim);
    out.push_back(at::softmax(at::bmm(q, k.transpose(1, 2)) / std::sqrt(static_cast<double>(headDim)), -1).bmm(v));
  }
  return at::cat(out, 2).view({qkv.size(0), d});
}

at::Tensor attention(LinearCache& cache, const at::Tensor& qkv, std::int64_t batch, std::int64_t heads) {
  auto out = at::empty({qkv.size(0), qkv.size(1) / 3}, qkv.options());
  inferenceAttention(cache, qkv, batch, qkv.size(0) / batch, heads, out);
  return out;
}

TEST(InferenceAttention, MatchesTheFormulaWithEachBackend) {
  torch::NoGradGuard noGrad;
  torch::manual_seed(21);
  const std::int64_t batch = 2, tokens = 37, heads = 3;  // a 96 px view's 37 tokens
  const auto qkv = torch::randn({batch * tokens, 3 * 48}) * 2.0;
  for (const auto backend : builtBackends()) {
    SCOPED_TRACE(inferenceBackendName(backend));
    LinearCache cache(backend);
    EXPECT_LT(
        (attention(cache, qkv, batch, heads).to(at::kDouble) - reference(qkv, batch, heads)).abs().max().item<double>(),
        1e-5);
  }
}

TEST(InferenceAttention, TinyProductsNeverReadUninitialisedMemory) {
  // LibTorch 1.13's baddbmm_out reads its output in its small-matrix kernel (T * T * headDim <
  // 400) even with beta = 0: the Blas backend's scores, made that way in an uninitialised
  // buffer, came out NaN when the buffer held NaN bits. Memory just freed full of NaN is what
  // the next small allocations get (malloc reuses the chunks).
  torch::NoGradGuard noGrad;
  torch::manual_seed(22);
  const auto qkv = torch::randn({2, 3 * 4});  // one image of two tokens, one head of 4
  const auto expected = reference(qkv, 1, 1);
  for (const auto backend : builtBackends()) {
    SCOPED_TRACE(inferenceBackendName(backend));
    LinearCache cache(backend);
    for (int round = 0; round < 50; ++round) {
      {
        std::vector<at::Tensor> poison;
        for (int i = 0; i < 256; ++i) poison.push_back(torch::full({1 + i % 32}, std::nan("")));
      }
      const auto got = attention(cache, qkv, 1, 1);
      ASSERT_LT((got.to(at::kDouble) - expected).abs().max().item<double>(), 1e-5) << "round " << round;
    }
  }
}

}  // namespace
