#include "VitAttention.hpp"

#include "TorchCompat.hpp"

namespace meridian::model {

VitAttentionImpl::VitAttentionImpl(int dim, int heads_, bool qkvBias)
    : heads(heads_),
      qkv(register_module("qkv", torch::nn::Linear(torch::nn::LinearOptions(dim, 3 * dim).bias(qkvBias)))),
      proj(register_module("proj", torch::nn::Linear(dim, dim))) {}

torch::Tensor VitAttentionImpl::forward(const torch::Tensor& x, torch::Tensor* weights) {
  if (!torch::GradMode::is_enabled()) return forwardInference(x, weights);
  const auto b = x.size(0), t = x.size(1), d = x.size(2);
  // [B, T, 3D] -> [3, B, heads, T, headDim]: q, k and v in torchvision's and timm's order.
  const auto parts = qkv(x).reshape({b, t, 3, heads, d / heads}).permute({2, 0, 3, 1, 4});
  const auto q = parts[0], k = parts[1], v = parts[2];
  torch::Tensor out;
  if (weights != nullptr) {
    *weights = compat::attentionWeights(q, k);
    out = at::matmul(weights->to(v.scalar_type()), v);  // weights are fp32, v may be bf16
  } else {
    out = compat::scaledDotProductAttention(q, k, v);
  }
  return proj(out.transpose(1, 2).reshape({b, t, d}));
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
  if (qkv->bias.defined()) packed.add_(qkv->bias.view({3, 1, heads, 1, headDim}));
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
  return proj(tokens.view({b, t, d}));
}

}  // namespace meridian::model
