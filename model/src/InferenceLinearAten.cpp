// The Blas backend of InferenceLinear.hpp (LibTorch only, every build): addmm through
// LibTorch's BLAS, with the residual added by BLAS's beta = 1. Nothing to prepare: no state.

#include <cmath>

#include "InferenceBackend.hpp"

namespace meridian::model {
namespace {

void blasLinear(const at::Tensor& a, const at::Tensor& weight, const at::Tensor& bias, at::Tensor& out,
                LinearEpilogue epilogue) {
  const auto w = weight.view({weight.size(0), -1}).t();
  switch (epilogue) {
    case LinearEpilogue::Bias:
    case LinearEpilogue::BiasGelu:
      if (bias.defined()) at::addmm_out(out, bias.to(out.scalar_type()), a, w);
      else at::mm_out(out, a, w);
      if (epilogue == LinearEpilogue::BiasGelu) at::gelu_(out);
      break;
    case LinearEpilogue::BiasAccumulate:
      // the bias first (one pass), then the product adds into out (beta = 1)
      if (bias.defined()) out.add_(bias);
      out.addmm_(a, w);
      break;
  }
}

// qkv viewed as [B, T, 3, heads, headDim] -> a new contiguous [3, B, heads, T, headDim] whose
// part 0 is q / sqrt(headDim): the scale applied in the pass that lays q out, so the scores'
// product needs no alpha. Why not alpha: LibTorch 1.13's baddbmm_out reads its output buffer in
// its small-matrix kernel (T * T * headDim < 400) even with beta = 0, so scores made that way in
// an uninitialised buffer came out NaN when it held NaN bits (InferenceAttentionTest); bmm_out
// never reads it. The scale is a power of two for every preset (headDim 64), so scaling q
// first gives the same scores as scaling the product.
at::Tensor packHeadMajorScaledQ(const at::Tensor& qkv5) {
  const auto parts = qkv5.permute({2, 0, 3, 1, 4});
  auto packed = at::empty(parts.sizes(), qkv5.options());
  auto q = packed[0];
  at::mul_out(q, parts[0], at::scalar_tensor(1.0 / std::sqrt(static_cast<double>(qkv5.size(4))), at::kDouble));
  packed.narrow(0, 1, 2).copy_(parts.narrow(0, 1, 2));
  return packed;
}

void blasAttention(const at::Tensor& qkv, std::int64_t b, std::int64_t t, std::int64_t heads, at::Tensor& out) {
  const auto d = qkv.size(1) / 3, headDim = d / heads;
  // q k v laid out head-major for the batched products (q scaled), softmax in place, the
  // product with v, heads back into tokens.
  const auto packed = packHeadMajorScaledQ(qkv.view({b, t, 3, heads, headDim}));
  const auto q = packed[0].view({b * heads, t, headDim}), k = packed[1].view({b * heads, t, headDim}),
             v = packed[2].view({b * heads, t, headDim});
  auto scores = at::empty({b * heads, t, t}, qkv.options());
  at::bmm_out(scores, q, k.transpose(1, 2));
  at::_softmax_out(scores, scores, -1, false);  // row by row: each value is read before it is written
  const auto context = at::bmm(scores, v).view({b, heads, t, headDim});
  out.view({b, t, heads, headDim}).copy_(context.transpose(1, 2));
}

class BlasBackend final : public LinearBackend {
 public:
  void linear(const at::Tensor& a, const at::Tensor& weight, const at::Tensor& bias, at::Tensor& out,
              LinearEpilogue epilogue) override {
    blasLinear(a, weight, bias, out, epilogue);
  }
  void attention(const at::Tensor& qkv, std::int64_t batch, std::int64_t tokens, std::int64_t heads,
                 at::Tensor& out) override {
    blasAttention(qkv, batch, tokens, heads, out);
  }
};

}  // namespace

std::unique_ptr<LinearBackend> makeBlasBackend() { return std::make_unique<BlasBackend>(); }

}  // namespace meridian::model
