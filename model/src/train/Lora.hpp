#pragma once
// LoRA (Hu et al. 2021) on the ViT's qkv, proj, fc1 and fc2: W = W0 + (alpha / r) B A with
// A [r, in] (small random) and B [out, r] (zero, so training starts at the base model),
// W0 frozen. The adapters are registered on each Linear as "lora_a"/"lora_b" (so the
// layer-wise parameter groups place them by their block), and the effective weight is
// written into the Linear's `weight` member before each forward: LibTorch's Linear uses
// that member, while the registered parameter stays the frozen W0. merge() folds the
// product into W0 for inference and saving.

#include <torch/nn/modules/linear.h>

#include <string>
#include <vector>

#include "../Vit.hpp"

namespace meridian::model::train {

class LoraAdapters {
 public:
  /// Freezes every parameter of `net` except its head, then adds rank-`rank` adapters.
  LoraAdapters(Vit& net, int rank, double alpha);

  /// Recomputes W0 + scale B A into each adapted Linear (call before every forward that
  /// trains; autograd reaches A and B through it). Does nothing once merged.
  void refresh();
  /// W0 += scale B A, and the Linears use W0 again. The adapters stay registered but no
  /// longer take part; exportable state should skip names containing ".lora_".
  void merge();

  std::size_t size() const { return adapters_.size(); }
  double scale() const { return scale_; }

 private:
  struct Adapter {
    torch::nn::Linear linear{nullptr};
    torch::Tensor base;  // the registered W0
    torch::Tensor a, b;
  };
  std::vector<Adapter> adapters_;
  double scale_;
  bool merged_ = false;  // W0 already holds B A: refreshing again would add it twice
};

/// True for parameter names that belong to LoRA adapters (left out of saved weights).
inline bool isLoraParameter(const std::string& name) {
  return name.find(".lora_") != std::string::npos;
}

}  // namespace meridian::model::train
