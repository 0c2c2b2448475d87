#include "Lora.hpp"

#include <torch/torch.h>

#include <cmath>

namespace meridian::model::train {

LoraAdapters::LoraAdapters(Vit& net, int rank, double alpha) : scale_(alpha / rank) {
  for (auto& p : net->parameters()) p.set_requires_grad(false);
  if (net->head)
    for (auto& p : net->head->parameters()) p.set_requires_grad(true);
  auto add = [&](torch::nn::Linear& linear) {
    Adapter adapter;
    adapter.linear = linear;
    adapter.base = linear->weight;
    const auto out = linear->weight.size(0), in = linear->weight.size(1);
    // A like a Kaiming-uniform Linear init (the LoRA reference code), B zero.
    const double bound = 1.0 / std::sqrt(static_cast<double>(in));
    adapter.a = linear->register_parameter("lora_a", torch::empty({rank, in}).uniform_(-bound, bound));
    adapter.b = linear->register_parameter("lora_b", torch::zeros({out, rank}));
    adapters_.push_back(adapter);
  };
  for (std::size_t i = 0; i < net->blocks->size(); ++i) {
    auto block = net->blocks->ptr<VitBlockImpl>(i);
    add(block->attn->qkv);
    add(block->attn->proj);
    add(block->mlp->fc1);
    add(block->mlp->fc2);
  }
}

void LoraAdapters::refresh() {
  if (merged_) return;
  for (auto& adapter : adapters_) adapter.linear->weight = adapter.base + scale_ * at::matmul(adapter.b, adapter.a);
}

void LoraAdapters::merge() {
  if (merged_) return;
  merged_ = true;
  torch::NoGradGuard noGrad;
  for (auto& adapter : adapters_) {
    adapter.base.add_(scale_ * at::matmul(adapter.b, adapter.a));
    adapter.linear->weight = adapter.base;
    adapter.a.set_requires_grad(false);
    adapter.b.set_requires_grad(false);
  }
}

}  // namespace meridian::model::train
