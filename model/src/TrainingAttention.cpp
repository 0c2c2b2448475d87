#include "TrainingAttention.hpp"

#include <torch/autograd.h>

#include "HeadMajor.hpp"

namespace meridian::model {

namespace {

struct Shape {
  std::int64_t batch, tokens, heads, headDim;
  std::int64_t groups() const { return batch * heads; }  // the batched products' batch
};

/// part p of a head-major buffer as the batched products see it: [B * heads, T, headDim].
at::Tensor part(const at::Tensor& packed, int p, const Shape& s) {
  return packed[p].view({s.groups(), s.tokens, s.headDim});
}

// Saved for the backward: the head-major q (scaled), k, v and the softmax weights.
struct Attention : torch::autograd::Function<Attention> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& qkv, std::int64_t heads) {
    const Shape s{qkv.size(0), qkv.size(1), heads, qkv.size(2) / (3 * heads)};
    const auto packed = packHeadMajorScaledQ(qkv.view({s.batch, s.tokens, 3, s.heads, s.headDim}));
    const auto weights = at::softmax(at::bmm(part(packed, 0, s), part(packed, 1, s).transpose(1, 2)), -1);
    const auto heads4 = at::bmm(weights, part(packed, 2, s)).view({s.batch, s.heads, s.tokens, s.headDim});
    auto tokens = at::empty({s.batch, s.tokens, s.heads, s.headDim}, qkv.options());
    tokens.copy_(heads4.transpose(1, 2));
    ctx->save_for_backward({packed, weights});
    ctx->saved_data["heads"] = heads;
    return tokens.view({s.batch, s.tokens, s.heads * s.headDim});
  }

  // With q' = q / sqrt(d) (what was saved): dV = P^T dO, dP = dO V^T, dS = softmax'(dP),
  // dK = dS^T q' (exact: the scale is inside q'), dq' = dS K and dq = dq' / sqrt(d), applied
  // as dq' goes back into the qkv layout.
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list gradients) {
    const auto saved = ctx->get_saved_variables();
    const auto& packed = saved[0];
    const auto& weights = saved[1];  // softmax output, [B * heads, T, T]
    const Shape s{packed.size(1), packed.size(3), ctx->saved_data["heads"].toInt(), packed.size(4)};
    const auto& dTokens = gradients[0];
    if (!dTokens.defined()) return {at::Tensor(), at::Tensor()};
    auto dOut = at::empty({s.batch, s.heads, s.tokens, s.headDim}, packed.options());  // head-major
    dOut.copy_(dTokens.view({s.batch, s.tokens, s.heads, s.headDim}).transpose(1, 2));
    const auto dOut3 = dOut.view({s.groups(), s.tokens, s.headDim});
    auto dPacked = at::empty_like(packed);
    auto dq = part(dPacked, 0, s), dk = part(dPacked, 1, s), dv = part(dPacked, 2, s);
    at::bmm_out(dv, weights.transpose(1, 2), dOut3);
    const auto dScores = at::_softmax_backward_data(at::bmm(dOut3, part(packed, 2, s).transpose(1, 2)), weights, -1,
                                                    weights.scalar_type());
    at::bmm_out(dq, dScores, part(packed, 1, s));
    at::bmm_out(dk, dScores.transpose(1, 2), part(packed, 0, s));
    auto dQkv = at::empty({s.batch, s.tokens, 3, s.heads, s.headDim}, packed.options());
    const auto tokenMajor = dPacked.permute({1, 3, 0, 2, 4});  // [B, T, 3, heads, headDim]
    auto dQ = dQkv.select(2, 0);
    at::mul_out(dQ, tokenMajor.select(2, 0), at::scalar_tensor(attentionScale(s.headDim), at::kDouble));
    dQkv.narrow(2, 1, 2).copy_(tokenMajor.narrow(2, 1, 2));
    return {dQkv.view({s.batch, s.tokens, 3 * s.heads * s.headDim}), at::Tensor()};
  }
};

}  // namespace

at::Tensor trainingAttention(const at::Tensor& qkv, std::int64_t heads) {
  TORCH_CHECK(qkv.dim() == 3 && heads > 0 && qkv.size(2) % (3 * heads) == 0,
              "trainingAttention: qkv must be [B, T, 3 * heads * headDim]");
  return Attention::apply(qkv.contiguous(), heads);
}

}  // namespace meridian::model
