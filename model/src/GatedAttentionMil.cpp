#include "GatedAttentionMil.hpp"

#include <torch/nn/functional/activation.h>

namespace meridian::model {

GatedAttentionMilImpl::GatedAttentionMilImpl(std::int64_t embedDim, std::int64_t hiddenDim, std::int64_t classes)
    : embedDim_(embedDim), hiddenDim_(hiddenDim), classes_(classes) {
  attention_V = register_module("attention_V", torch::nn::Linear(embedDim, hiddenDim));
  attention_U = register_module("attention_U", torch::nn::Linear(embedDim, hiddenDim));
  attention_w = register_module("attention_w", torch::nn::Linear(hiddenDim, 1));
  classifier = register_module("classifier", torch::nn::Linear(embedDim, classes));
}

GatedAttentionOutput GatedAttentionMilImpl::forward(const torch::Tensor& h) {
  const torch::Tensor gate = torch::tanh(attention_V(h)) * torch::sigmoid(attention_U(h));  // [N, L]
  const torch::Tensor weights = torch::softmax(attention_w(gate).squeeze(1), 0);            // [N]
  const torch::Tensor bag = torch::matmul(weights.unsqueeze(0), h).squeeze(0);              // [D]
  const torch::Tensor logits = classifier(bag);                                             // [C]
  GatedAttentionOutput out;
  out.probabilities = classes_ == 1 ? torch::sigmoid(logits) : torch::softmax(logits, 0);
  out.weights = weights;
  return out;
}

}  // namespace meridian::model
