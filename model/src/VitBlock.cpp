#include "VitBlock.hpp"

#include "LayerNormOperand.hpp"

namespace meridian::model {

VitBlockImpl::VitBlockImpl(const VitConfig& c) {
  const auto normOptions = torch::nn::LayerNormOptions({c.embedDim}).eps(c.layerNormEps);
  norm1 = register_module("norm1", torch::nn::LayerNorm(normOptions));
  attn = register_module("attn", VitAttention(c.embedDim, c.heads, c.qkvBias));
  norm2 = register_module("norm2", torch::nn::LayerNorm(normOptions));
  mlp = register_module("mlp", VitMlp(c.embedDim, c.mlpHidden()));
  if (c.layerScaleInit > 0.0) {
    ls1 = register_module("ls1", LayerScale(c.embedDim, c.layerScaleInit));
    ls2 = register_module("ls2", LayerScale(c.embedDim, c.layerScaleInit));
  }
}

torch::Tensor VitBlockImpl::forward(const torch::Tensor& x, torch::Tensor* attentionWeights) {
  // The branches compute in the type of their weights (bf16 when MatmulWeightCast cast
  // them); the residual stream, the norms and LayerScale stay in the stream's type (fp32)
  // so twelve residual additions do not accumulate bf16 rounding. The additions promote a
  // bf16 branch to fp32 as they read it (exact), which saves a conversion pass per branch;
  // .to() is free when the types already match.
  // (Under bf16 autocast with autograd, the norms write bf16 directly: LayerNormOperand.hpp.)
  const auto compute = attn->qkv->weight.scalar_type();
  auto a = attn(layerNormOperand(norm1, x, compute), attentionWeights);
  auto y = x + (ls1 ? ls1(a) : a);
  auto m = mlp(layerNormOperand(norm2, y, compute));
  return y + (ls2 ? ls2(m) : m);
}

torch::Tensor VitBlockImpl::forwardFirstToken(const torch::Tensor& x) {
  const auto compute = attn->qkv->weight.scalar_type();
  auto a = attn->forwardFirstToken(layerNormOperand(norm1, x, compute));
  auto y = x.narrow(1, 0, 1) + (ls1 ? ls1(a) : a);
  auto m = mlp(layerNormOperand(norm2, y, compute));
  return y + (ls2 ? ls2(m) : m);
}

}  // namespace meridian::model
