#include "MatmulWeightCast.hpp"

#include <torch/autograd.h>

namespace meridian::model {

bool MatmulWeightCast::isMatmulParameter(const std::string& name) {
  if (name.rfind("patch_embed.", 0) == 0) return true;
  return name.rfind("blocks.", 0) == 0 &&
         (name.find(".attn.") != std::string::npos || name.find(".mlp.") != std::string::npos);
}

void MatmulWeightCast::apply(VitImpl& net, at::ScalarType type) {
  restore(net);
  if (type == at::kFloat) return;
  torch::NoGradGuard noGrad;
  for (auto& item : net.named_parameters(/*recurse=*/true)) {
    if (!isMatmulParameter(item.key())) continue;
    at::Tensor& p = item.value();
    // detach() shares the fp32 storage under a new tensor; set_data then points the
    // parameter at the bf16 copy, so the original stays alive without another copy.
    originals_.emplace(item.key(), p.detach());
    p.set_data(p.detach().to(type));
  }
}

void MatmulWeightCast::restore(VitImpl& net) {
  if (originals_.empty()) return;
  torch::NoGradGuard noGrad;
  for (auto& item : net.named_parameters(/*recurse=*/true)) {
    const auto it = originals_.find(item.key());
    if (it != originals_.end()) item.value().set_data(it->second);
  }
  originals_.clear();
}

at::Tensor MatmulWeightCast::original(const std::string& name, const at::Tensor& current) const {
  const auto it = originals_.find(name);
  return it != originals_.end() ? it->second : current;
}

}  // namespace meridian::model
