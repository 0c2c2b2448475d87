#include "VitInPlaceBlock.hpp"

#include <ATen/autocast_mode.h>

#include <cmath>

#include "InferenceLayerNorm.hpp"
#include "InferenceLinear.hpp"

namespace meridian::model {

bool canRunInPlace(const VitBlockImpl& block, const at::Tensor& x, const LinearCache& linears) {
  // bf16 weights only with a backend whose kernels take bf16 operands (OneDnn: fp32 residual
  // stream as dst). Not under CPU autocast: the products below are not autocast ops, so a
  // forward that relies on autocast for bf16 (DINO's teacher) would run them in fp32 (issue 19).
  const auto compute = block.attn->qkv->weight.scalar_type();
  const bool typeOk = compute == at::kFloat || (compute == at::kBFloat16 && linears.takesBf16());
  return !torch::GradMode::is_enabled() && !at::autocast::is_cpu_enabled() && x.device().is_cpu() &&
         x.scalar_type() == at::kFloat && x.is_contiguous() && x.dim() == 3 && !block.ls1 && !block.ls2 && typeOk &&
         block.mlp->fc1->weight.scalar_type() == compute && block.attn->proj->weight.scalar_type() == compute &&
         block.mlp->fc2->weight.scalar_type() == compute;
}

namespace {

// Reuses `buffer` when it has `shape` and the type, else allocates it once for this forward
// pass.
at::Tensor& ensure(at::Tensor& buffer, at::IntArrayRef shape, const at::TensorOptions& options) {
  if (!buffer.defined() || buffer.sizes() != shape || buffer.scalar_type() != options.dtype().toScalarType())
    buffer = at::empty(shape, options);
  return buffer;
}

// LayerNorm straight into the next product's input type, in row chunks (InferenceLayerNorm.hpp).
void layerNorm(const torch::nn::LayerNorm& norm, const at::Tensor& x2d, at::Tensor& out) {
  inferenceLayerNorm(x2d, norm->weight, norm->bias, norm->options.eps(), out);
}

}  // namespace

void runInPlace(VitBlockImpl& block, at::Tensor& x, InPlaceScratch& scratch) {
  const auto b = x.size(0), t = x.size(1), d = x.size(2);
  const std::int64_t heads = block.attn->heads;
  auto& cache = *scratch.linears;
  InferenceThreadsScope threads(cache);  // ATen's passes on this thread; the products bring their pool
  auto x2d = x.view({b * t, d});

  // Attention: the qkv product with its bias, then softmax(q k^T / sqrt(d)) v per head
  // (inferenceAttention), whose projection adds into x.
  const auto& attn = *block.attn;
  // bf16 weights (MatmulWeightCast): the products read bf16 operands (the normalised rows,
  // qkv, the attention's output, the MLP's hidden layer) and the residual stream stays fp32.
  const auto compute = attn.qkv->weight.scalar_type();
  const auto operands = x.options().dtype(compute);
  auto& normed = ensure(scratch.normed, {b * t, d}, operands);
  auto& qkv = ensure(scratch.qkv, {b * t, 3 * d}, operands);
  auto& tokens = ensure(scratch.tokens, {b * t, d}, operands);
  layerNorm(block.norm1, x2d, normed);
  inferenceLinear(cache, normed, attn.qkv->weight, attn.qkv->bias, qkv, LinearEpilogue::Bias);
  inferenceAttention(cache, qkv, b, t, heads, tokens);
  inferenceLinear(cache, tokens, attn.proj->weight, attn.proj->bias, x2d, LinearEpilogue::BiasAccumulate);

  // MLP: fc1 with its bias and exact GELU into the reused hidden buffer, fc2 adds into x.
  const auto& mlp = *block.mlp;
  auto& hidden = ensure(scratch.hidden, {b * t, mlp.fc1->weight.size(0)}, operands);
  layerNorm(block.norm2, x2d, normed);
  inferenceLinear(cache, normed, mlp.fc1->weight, mlp.fc1->bias, hidden, LinearEpilogue::BiasGelu);
  inferenceLinear(cache, hidden, mlp.fc2->weight, mlp.fc2->bias, x2d, LinearEpilogue::BiasAccumulate);
}

at::Tensor runFirstTokenInPlace(VitBlockImpl& block, const at::Tensor& x, InPlaceScratch& scratch) {
  const auto b = x.size(0), t = x.size(1), d = x.size(2);
  const std::int64_t heads = block.attn->heads, headDim = d / heads;
  auto& cache = *scratch.linears;
  InferenceThreadsScope threads(cache);
  const auto x2d = x.view({b * t, d});
  const auto& attn = *block.attn;
  const auto compute = attn.qkv->weight.scalar_type();
  const auto operands = x.options().dtype(compute);
  auto& normed = ensure(scratch.normed, {b * t, d}, operands);
  auto& qkv = ensure(scratch.qkv, {b * t, 3 * d}, operands);
  layerNorm(block.norm1, x2d, normed);
  inferenceLinear(cache, normed, attn.qkv->weight, attn.qkv->bias, qkv, LinearEpilogue::Bias);

  // One query per image: a few MFLOP, in fp32 with ATen on this thread (the engine's kernel
  // computes all T queries). q, k and v lie head-major within D, as for inferenceAttention.
  const auto parts = qkv.view({b, t, 3, heads, headDim});
  const auto q = parts.select(1, 0).select(1, 0).to(at::kFloat);  // [B, heads, headDim]
  const auto keys = parts.select(2, 1).to(at::kFloat);            // [B, T, heads, headDim]
  const auto values = parts.select(2, 2).to(at::kFloat);
  const auto scores = at::einsum("bhd,bthd->bht", {q, keys}).mul_(1.0 / std::sqrt(static_cast<double>(headDim)));
  const auto context = at::einsum("bht,bthd->bhd", {scores.softmax(-1), values}).reshape({b, d}).to(compute);

  // The projection and the MLP on the B rows of the first token, by the same kernels.
  auto y = x.select(1, 0).contiguous();  // [B, D] fp32: this block's residual stream for those rows
  inferenceLinear(cache, context.contiguous(), attn.proj->weight, attn.proj->bias, y, LinearEpilogue::BiasAccumulate);
  const auto& mlp = *block.mlp;
  auto normed2 = at::empty({b, d}, operands);
  auto hidden = at::empty({b, mlp.fc1->weight.size(0)}, operands);
  layerNorm(block.norm2, y, normed2);
  inferenceLinear(cache, normed2, mlp.fc1->weight, mlp.fc1->bias, hidden, LinearEpilogue::BiasGelu);
  inferenceLinear(cache, hidden, mlp.fc2->weight, mlp.fc2->bias, y, LinearEpilogue::BiasAccumulate);
  return y.unsqueeze(1);
}

}  // namespace meridian::model
