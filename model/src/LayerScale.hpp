#pragma once
// LayerScale (CaiT; used by DINOv2): a learned per-channel gain on each residual branch.
// Its own module so the parameter is named "ls1.gamma" as in timm and DINOv2.

#include <torch/nn/module.h>

namespace meridian::model {

class LayerScaleImpl : public torch::nn::Module {
 public:
  LayerScaleImpl(int dim, double initValue) { gamma = register_parameter("gamma", torch::full({dim}, initValue)); }
  torch::Tensor forward(const torch::Tensor& x) { return x * gamma; }

  torch::Tensor gamma;
};
TORCH_MODULE(LayerScale);

}  // namespace meridian::model
