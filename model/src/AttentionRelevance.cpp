#include "AttentionRelevance.hpp"

#include <torch/autograd.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace meridian::model {
namespace {

torch::Tensor identityLike(const torch::Tensor& batchOfSquares) {
  const auto t = batchOfSquares.size(-1);
  return torch::eye(t, batchOfSquares.options()).expand_as(batchOfSquares);
}

// The CLS query's row over the patch columns (registers and CLS itself dropped).
torch::Tensor clsRowOverPatches(const torch::Tensor& relevance, int prefixTokens) {
  return relevance.select(1, 0).slice(1, prefixTokens).contiguous();
}

}  // namespace

torch::Tensor accumulateRollout(const torch::Tensor& rollout, const torch::Tensor& weights) {
  // Â = norm_rows(mean_h A + I): the identity stands for the residual connection.
  auto a = weights.to(torch::kFloat).mean(1);
  a = a + identityLike(a);
  a = a / a.sum(-1, /*keepdim=*/true);
  // Rollout after block l is Â_l · Â_{l-1} ⋯ Â_1: the newest block multiplies from the left.
  return rollout.defined() ? torch::bmm(a, rollout) : a;
}

RelevanceMaps attentionRollout(VitImpl& net, const torch::Tensor& x) {
  torch::Tensor rollout;
  const AttentionTap tap = [&](std::size_t, const torch::Tensor& weights) {
    rollout = accumulateRollout(rollout, weights);
  };
  const VitOutput out = net.forward(x, /*withClsAttention=*/false, &tap);
  return {clsRowOverPatches(rollout, net.prefixTokens()), out.logits, {}};
}

RelevanceMaps gradientWeightedAttention(VitImpl& net, const torch::Tensor& x, int targetClass) {
  if (!net.head) throw std::invalid_argument("gradient-weighted attention needs a classification head");
  const auto classes = net.config().numClasses;
  if (targetClass >= classes)
    throw std::invalid_argument("class " + std::to_string(targetClass) + " is outside the head's " +
                                std::to_string(classes) + " classes");
  torch::AutoGradMode gradients(true);
  // Gradients must reach the attention even when the weights are frozen (requires_grad
  // off): an input that requires grad puts every block into the graph.
  const auto input = x.detach().clone().requires_grad_(true);
  std::vector<torch::Tensor> weights;
  const AttentionTap tap = [&](std::size_t, const torch::Tensor& w) { weights.push_back(w); };
  const VitOutput out = net.forward(input, /*withClsAttention=*/false, &tap);
  const auto targets =
      targetClass >= 0 ? torch::full({x.size(0)}, targetClass, out.logits.options().dtype(torch::kLong)) : out.logits.detach().argmax(1);
  // The target logit (pre-softmax, as Chefer et al.); summed over the batch because the
  // images are independent, each image's gradient is its own.
  const auto score = out.logits.gather(1, targets.unsqueeze(1)).sum();
  const auto grads = torch::autograd::grad({score}, weights);

  torch::NoGradGuard noGrad;
  torch::Tensor relevance;
  for (std::size_t l = 0; l < weights.size(); ++l) {
    const auto a = (grads[l].to(torch::kFloat) * weights[l].detach().to(torch::kFloat)).clamp_min(0.0).mean(1);
    if (!relevance.defined()) relevance = identityLike(a).clone();
    relevance = relevance + torch::bmm(a, relevance);
  }
  return {clsRowOverPatches(relevance, net.prefixTokens()), out.logits.detach(), targets};
}

}  // namespace meridian::model
