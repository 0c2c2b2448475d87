#include "VitInPlaceBlock.hpp"

#include <ATen/autocast_mode.h>

#include <cmath>

namespace meridian::model {

bool canRunInPlace(const VitBlockImpl& block, const at::Tensor& x) {
  // Not under CPU autocast: the out= products below are not autocast ops, so a forward that
  // relies on autocast for bf16 (DINO's teacher) would run them as fp32 sgemm (issue 19).
  return !torch::GradMode::is_enabled() && !at::autocast::is_cpu_enabled() && x.device().is_cpu() &&
         x.scalar_type() == at::kFloat &&
         x.is_contiguous() && x.dim() == 3 && !block.ls1 && !block.ls2 &&
         block.attn->qkv->weight.scalar_type() == at::kFloat && block.mlp->fc1->weight.scalar_type() == at::kFloat;
}

namespace {

// Reuses `buffer` when it has `shape`, else allocates it once for this forward pass.
at::Tensor& ensure(at::Tensor& buffer, at::IntArrayRef shape, const at::TensorOptions& options) {
  if (!buffer.defined() || buffer.sizes() != shape) buffer = at::empty(shape, options);
  return buffer;
}

at::Tensor layerNorm(const torch::nn::LayerNorm& norm, const at::Tensor& x) {
  const auto& o = norm->options;
  return at::layer_norm(x, o.normalized_shape(), norm->weight, norm->bias, o.eps());
}

// x2d += (a @ w^T + bias): the bias first (one pass), then the product adds into x (beta = 1).
void addLinearInPlace(at::Tensor& x2d, const at::Tensor& a, const torch::nn::Linear& linear) {
  if (linear->bias.defined()) x2d.add_(linear->bias);
  x2d.addmm_(a, linear->weight.t());
}

}  // namespace

void runInPlace(VitBlockImpl& block, at::Tensor& x, InPlaceScratch& scratch) {
  const auto b = x.size(0), t = x.size(1), d = x.size(2);
  const std::int64_t heads = block.attn->heads, headDim = d / heads;
  auto x2d = x.view({b * t, d});

  // Attention: the qkv product, q k v laid out head-major with the bias (as in
  // VitAttentionImpl::forwardInference), scores into the reused buffer with 1/sqrt(d) as the
  // product's alpha, softmax in place, the product with v, heads back into tokens.
  const auto& attn = *block.attn;
  const auto raw = at::mm(layerNorm(block.norm1, x).view({b * t, d}), attn.qkv->weight.t())
                       .view({b, t, 3, heads, headDim})
                       .permute({2, 0, 3, 1, 4});
  auto packed = at::empty({3, b, heads, t, headDim}, x.options());
  packed.copy_(raw);
  if (attn.qkv->bias.defined()) packed.add_(attn.qkv->bias.view({3, 1, heads, 1, headDim}));
  const auto q = packed[0].view({b * heads, t, headDim}), k = packed[1].view({b * heads, t, headDim}),
             v = packed[2].view({b * heads, t, headDim});
  auto& scores = ensure(scratch.scores, {b * heads, t, t}, x.options());
  const double scale = 1.0 / std::sqrt(static_cast<double>(headDim));
  at::baddbmm_out(scores, scores, q, k.transpose(1, 2), /*beta=*/0.0, /*alpha=*/scale);  // beta 0: not read
  at::_softmax_out(scores, scores, -1, false);  // row by row: each value is read before it is written
  const auto context = at::bmm(scores, v).view({b, heads, t, headDim});
  auto tokens = at::empty({b, t, heads, headDim}, x.options());
  tokens.copy_(context.transpose(1, 2));
  addLinearInPlace(x2d, tokens.view({b * t, d}), attn.proj);

  // MLP: fc1 with its bias into the reused hidden buffer, exact GELU in place, fc2 into x.
  const auto& mlp = *block.mlp;
  auto& hidden = ensure(scratch.hidden, {b * t, mlp.fc1->weight.size(0)}, x.options());
  at::addmm_out(hidden, mlp.fc1->bias, layerNorm(block.norm2, x).view({b * t, d}), mlp.fc1->weight.t());
  at::gelu_(hidden);
  addLinearInPlace(x2d, hidden, mlp.fc2);
}

}  // namespace meridian::model
