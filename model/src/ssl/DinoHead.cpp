#include "DinoHead.hpp"

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/normalization.h>

#include "PrototypeNormalize.hpp"

namespace meridian::model::ssl {

namespace F = torch::nn::functional;

DinoHeadImpl::DinoHeadImpl(int inDim, int hiddenDim, int bottleneckDim, int k) {
  fc1 = register_module("fc1", torch::nn::Linear(inDim, hiddenDim));
  fc2 = register_module("fc2", torch::nn::Linear(hiddenDim, hiddenDim));
  fc3 = register_module("fc3", torch::nn::Linear(hiddenDim, bottleneckDim));
  prototypes = register_parameter("prototypes", torch::empty({k, bottleneckDim}));
  torch::NoGradGuard noGrad;
  for (auto* linear : {fc1.get(), fc2.get(), fc3.get()}) {
    linear->weight.normal_(0.0, 0.02).clamp_(-0.04, 0.04);  // trunc_normal_(std=.02) as in DINO
    linear->bias.zero_();
  }
  prototypes.normal_(0.0, 0.02);
}

torch::Tensor DinoHeadImpl::embed(const torch::Tensor& features) {
  auto x = F::gelu(fc1(features));
  x = F::gelu(fc2(x));
  return F::normalize(fc3(x), F::NormalizeFuncOptions().dim(-1).p(2).eps(1e-6));
}

torch::Tensor DinoHeadImpl::forward(const torch::Tensor& features) {
  // weight_norm with g fixed at 1: only the prototypes' directions learn.
  const auto weight = normalizedPrototypes(prototypes, 1e-6);
  return torch::matmul(embed(features), weight.t());
}

}  // namespace meridian::model::ssl
