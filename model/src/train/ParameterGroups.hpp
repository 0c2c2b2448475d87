#pragma once
// AdamW parameter groups for fine-tuning a ViT with layer-wise learning-rate decay
// (BEiT, MAE, DINOv2 fine-tuning): layer 0 = patch embedding, CLS/register tokens and
// position embedding; layer i+1 = block i; layer depth+1 = final norm and head. A
// parameter of layer l learns at lr * decay^(depth+1-l), so the head moves fastest and
// the embeddings slowest. Biases, norm weights, LayerScale gammas and the learned tokens
// get no weight decay (decaying them towards zero only hurts). Frozen parameters
// (requires_grad false) are left out, so partial fine-tuning and LoRA reuse this.

#include <torch/nn/module.h>
#include <torch/optim/adamw.h>

#include <string>
#include <vector>

namespace meridian::model::train {

struct ParameterGroupOptions {
  double weightDecay = 0.05;
  double layerDecay = 0.75;  // 1.0 = the same learning rate everywhere
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
};

struct ParameterGroups {
  std::vector<torch::optim::OptimizerParamGroup> groups;  // AdamWOptions on each
  std::vector<double> lrScales;                           // one per group: multiply the scheduled lr
  std::vector<std::string> names;                         // "layer 3, decay" ... for logs and tests
};

/// Which layer a timm-named parameter belongs to (0 .. depth+1), for a ViT of `depth` blocks.
int layerIdOf(const std::string& parameterName, int depth);

/// Whether weight decay applies: matrices and convolution kernels yes; biases, norms,
/// LayerScale and the learned tokens no.
bool takesWeightDecay(const std::string& parameterName, const torch::Tensor& parameter);

/// Groups the trainable parameters of `model` (timm names, `depth` blocks) by layer and by
/// weight decay. Empty groups are not emitted.
ParameterGroups buildParameterGroups(const torch::nn::Module& model, int depth, const ParameterGroupOptions& options);

/// Sets each group's lr to `lr` times its layer scale (call before every optimiser step).
void applyLearningRate(torch::optim::Optimizer& optimizer, const ParameterGroups& groups, double lr);

}  // namespace meridian::model::train
