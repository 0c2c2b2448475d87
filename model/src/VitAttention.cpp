#include "VitAttention.hpp"

#include "TorchCompat.hpp"

namespace meridian::model {

VitAttentionImpl::VitAttentionImpl(int dim, int heads_, bool qkvBias)
    : heads(heads_),
      qkv(register_module("qkv", torch::nn::Linear(torch::nn::LinearOptions(dim, 3 * dim).bias(qkvBias)))),
      proj(register_module("proj", torch::nn::Linear(dim, dim))) {}

torch::Tensor VitAttentionImpl::forward(const torch::Tensor& x, torch::Tensor* weights) {
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

}  // namespace meridian::model
