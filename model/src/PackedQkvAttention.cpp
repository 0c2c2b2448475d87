#include "PackedQkvAttention.hpp"

#include <ATen/core/grad_mode.h>
#include <torch/autograd.h>

#include <cmath>

#include "AttentionSoftmax.hpp"
#include "TorchCompat.hpp"

namespace meridian::model {

namespace {

struct Shape {
  std::int64_t batch, tokens, heads, headDim;
  std::int64_t groups() const { return batch * heads; }  // the batched products' batch
};

Shape shapeOf(const at::Tensor& qkv, std::int64_t heads) {
  return {qkv.size(0), qkv.size(1), heads, qkv.size(2) / (3 * heads)};
}

// The scores' scale, 1 / sqrt(headDim).
double scaleOf(const Shape& s) {
  return 1.0 / std::sqrt(static_cast<double>(s.headDim));
}

// [3, B, heads, T, headDim] slice i as the batched products' [B heads, T, headDim].
at::Tensor operand(const at::Tensor& packed, int i, const Shape& s) {
  return packed[i].view({s.groups(), s.tokens, s.headDim});
}

struct PackedQkvAttentionNode : torch::autograd::Function<PackedQkvAttentionNode> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& qkv, std::int64_t heads) {
    const auto s = shapeOf(qkv, heads);
    auto packed = at::empty({3, s.batch, s.heads, s.tokens, s.headDim}, qkv.options());
    packed.copy_(qkv.view({s.batch, s.tokens, 3, s.heads, s.headDim}).permute({2, 0, 3, 1, 4}));
    const auto q = operand(packed, 0, s), k = operand(packed, 1, s), v = operand(packed, 2, s);
    // q k^T unscaled, the scale applied inside the softmax's pass. (Not baddbmm with beta = 0
    // on an empty tensor: for small batched products LibTorch 1.13 reads that operand anyway, and
    // uninitialised memory made NaN scores in a 32-px DINO run.)
    auto weights = at::bmm(q, k.transpose(1, 2));
    softmaxLastDimBf16(weights, weights, static_cast<float>(scaleOf(s)));
    const auto heads4 = at::bmm(weights, v).view({s.batch, s.heads, s.tokens, s.headDim});
    auto tokens = at::empty({s.batch, s.tokens, s.heads, s.headDim}, qkv.options());
    tokens.copy_(heads4.transpose(1, 2));
    ctx->save_for_backward({packed, weights});
    ctx->saved_data["heads"] = heads;
    return tokens.view({s.batch, s.tokens, s.heads * s.headDim});
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list gradients) {
    const auto saved = ctx->get_saved_variables();
    const auto& packed = saved[0];
    const auto& weights = saved[1];
    const auto heads = ctx->saved_data["heads"].toInt();
    const Shape s{packed.size(1), packed.size(3), heads, packed.size(4)};
    const auto q = operand(packed, 0, s), k = operand(packed, 1, s), v = operand(packed, 2, s);
    auto dHeads = at::empty({s.batch, s.heads, s.tokens, s.headDim}, packed.options());
    dHeads.copy_(gradients[0].to(at::kBFloat16).reshape({s.batch, s.tokens, s.heads, s.headDim}).transpose(1, 2));
    const auto dOut = dHeads.view({s.groups(), s.tokens, s.headDim});

    auto dPacked = at::empty_like(packed);
    auto dQ = operand(dPacked, 0, s), dK = operand(dPacked, 1, s), dV = operand(dPacked, 2, s);
    at::bmm_out(dV, weights.transpose(1, 2), dOut);
    auto dScores = at::bmm(dOut, v.transpose(1, 2));
    // d(scores before the scale) = scale * softmax'(...): the scale folded into the rows' pass,
    // so dQ and dK are plain products.
    softmaxGradientLastDimBf16(weights, dScores, dScores, static_cast<float>(scaleOf(s)));
    at::bmm_out(dQ, dScores, k);
    at::bmm_out(dK, dScores.transpose(1, 2), q);
    auto dQkv = at::empty({s.batch, s.tokens, 3, s.heads, s.headDim}, packed.options());
    dQkv.copy_(dPacked.permute({1, 3, 0, 2, 4}));
    return {dQkv.view({s.batch, s.tokens, 3 * s.heads * s.headDim}), at::Tensor()};
  }
};

}  // namespace

bool takesPackedQkvAttention(const at::Tensor& qkv) {
  return !compat::kHasFusedAttention && qkv.scalar_type() == at::kBFloat16 && qkv.device().is_cpu() && qkv.dim() == 3 &&
         qkv.is_contiguous() && at::GradMode::is_enabled() && qkv.requires_grad();
}

at::Tensor packedQkvAttention(const at::Tensor& qkv, std::int64_t heads) {
  return PackedQkvAttentionNode::apply(qkv, heads);
}

}  // namespace meridian::model
