#pragma once
// The transformer block's MLP (Linear, exact GELU, Linear), named fc1/fc2 as in timm.

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

#include "Gelu.hpp"
#include "LinearForward.hpp"

namespace meridian::model {

class VitMlpImpl : public torch::nn::Module {
 public:
  VitMlpImpl(int dim, int hidden)
      : fc1(register_module("fc1", torch::nn::Linear(dim, hidden))),
        fc2(register_module("fc2", torch::nn::Linear(hidden, dim))) {}
  torch::Tensor forward(const torch::Tensor& x) { return linearForward(fc2, mlpGelu(linearForward(fc1, x))); }

  torch::nn::Linear fc1;
  torch::nn::Linear fc2;
};
TORCH_MODULE(VitMlp);

}  // namespace meridian::model
