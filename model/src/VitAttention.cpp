#include "VitAttention.hpp"

#include "AttentionSoftmax.hpp"
#include "LinearForward.hpp"
#include "PackedQkvAttention.hpp"
#include "TorchCompat.hpp"

namespace meridian::model {

namespace {

// softmax(q k^T / sqrt(d)) v where autograd records it: the fused operator with LibTorch 2.x;
// with 1.13 the explicit products around attentionSoftmax (AttentionSoftmax.hpp).
at::Tensor recordedAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
  if (compat::kHasFusedAttention) return compat::scaledDotProductAttention(q, k, v);
  return at::matmul(attentionSoftmax(compat::attentionScores(q, k)), v);
}

}  // namespace

VitAttentionImpl::VitAttentionImpl(int dim, int heads_, bool qkvBias)
    : heads(heads_),
      qkv(register_module("qkv", torch::nn::Linear(torch::nn::LinearOptions(dim, 3 * dim).bias(qkvBias)))),
      proj(register_module("proj", torch::nn::Linear(dim, dim))) {}

torch::Tensor VitAttentionImpl::forward(const torch::Tensor& x, torch::Tensor* weights) {
  if (!torch::GradMode::is_enabled()) return forwardInference(x, weights);
  const auto b = x.size(0), t = x.size(1), d = x.size(2);
  const auto packed = linearForward(qkv, x);
  if (weights == nullptr && takesPackedQkvAttention(packed))
    return linearForward(proj, packedQkvAttention(packed, heads));  // bf16 with 1.13: one node
  // [B, T, 3D] -> [3, B, heads, T, headDim]: q, k and v in torchvision's and timm's order.
  // unbind, not parts[0..2]: the backward of three selects is three zero-filled [3, B, heads,
  // T, headDim] gradients and two additions of them; unbind's is one stack.
  const auto parts = packed.reshape({b, t, 3, heads, d / heads}).permute({2, 0, 3, 1, 4}).unbind(0);
  const auto& q = parts[0];
  const auto& k = parts[1];
  const auto& v = parts[2];
  torch::Tensor out;
  if (weights != nullptr) {
    *weights = compat::attentionWeights(q, k);
    out = at::matmul(weights->to(v.scalar_type()), v);  // weights are fp32, v may be bf16
  } else {
    out = recordedAttention(q, k, v);
  }
  return linearForward(proj, out.transpose(1, 2).reshape({b, t, d}));
}

torch::Tensor VitAttentionImpl::forwardFirstToken(const torch::Tensor& x) {
  const auto b = x.size(0), t = x.size(1), d = x.size(2);
  // Rows [0, D) of the qkv weight make q, rows [D, 3D) k and v (torchvision's and timm's order).
  const auto rows = [](const torch::Tensor& p, std::int64_t first, std::int64_t count) {
    return p.defined() ? p.narrow(0, first, count) : p;
  };
  const auto& w = qkv->weight;
  const auto q = at::linear(x.narrow(1, 0, 1), rows(w, 0, d), rows(qkv->bias, 0, d))
                     .reshape({b, 1, heads, d / heads})
                     .transpose(1, 2);  // [B, heads, 1, headDim]
  const auto kv = at::linear(x, rows(w, d, 2 * d), rows(qkv->bias, d, 2 * d))
                      .reshape({b, t, 2, heads, d / heads})
                      .permute({2, 0, 3, 1, 4})
                      .unbind(0);  // k, v: [B, heads, T, headDim]
  const auto out = recordedAttention(q, kv[0], kv[1]);
  return linearForward(proj, out.transpose(1, 2).reshape({b, 1, d}));
}

// Inference spends about a third of a block outside the matrix products on this CPU (bf16,
// batch 16), mostly in passes over memory. Here: the qkv product without its bias, one copy
// that lays q, k and v out head-major (the batched products need it anyway), the bias added
// in place on that contiguous result, and one copy of the heads back into tokens. The qkv
// product with its layout, batch 16, bf16, 2 cores (the same ATen calls timed from PyTorch):
// 32.3 ms this way, 33.8 ms as addmm's bias copy plus a copy per operand, 37.2 ms with the
// bias added while permuting (a broadcast into a permuted output is the slowest of the three). The attention itself is compat::headMajorAttention (fused with LibTorch 2.x),
// or the scores' softmax kept as fp32 maps when they are asked for.
torch::Tensor VitAttentionImpl::forwardInference(const torch::Tensor& x, torch::Tensor* weights) {
  const auto b = x.size(0), t = x.size(1), d = x.size(2), headDim = d / heads;
  const auto raw =
      at::mm(x.reshape({b * t, d}), qkv->weight.t()).view({b, t, 3, heads, headDim}).permute({2, 0, 3, 1, 4});
  auto packed = at::empty({3, b, heads, t, headDim}, raw.options());  // [3, B, heads, T, headDim]
  packed.copy_(raw);
  // The bias in the product's type: under autocast (DINO's teacher) the product is bf16 and an
  // fp32 bias would take ATen's slow mixed-type path (LinearForward.hpp).
  if (qkv->bias.defined()) packed.add_(qkv->bias.to(packed.scalar_type()).view({3, 1, heads, 1, headDim}));
  const auto q = packed[0], k = packed[1], v = packed[2];  // [B, heads, T, headDim]
  torch::Tensor heads4;
  if (weights != nullptr) {
    *weights = at::softmax(compat::headMajorScores(q, k), -1, at::kFloat);  // maps are fp32, as in forward()
    heads4 = at::matmul(weights->to(v.scalar_type()), v);
  } else {
    heads4 = compat::headMajorAttention(q, k, v);
  }
  auto tokens = at::empty({b, t, heads, headDim}, heads4.options());
  tokens.copy_(heads4.transpose(1, 2));
  return linearForward(proj, tokens.view({b, t, d}));
}

}  // namespace meridian::model
