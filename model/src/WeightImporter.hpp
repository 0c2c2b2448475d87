#pragma once
// Maps a state dict in torchvision's or timm's key layout onto our ViT and copies it in.
// Strict: every model parameter must be provided, every provided tensor must be used
// (except a short list of training-only keys), and shapes must match; each error names
// the key as it appears in the file.

#include "TensorIo.hpp"
#include "Vit.hpp"
#include "meridian/model/WeightLayout.hpp"

namespace meridian::model {

/// The layout a state dict is in (Auto resolved from its keys).
WeightLayout detectLayout(const TensorMap& stateDict);
WeightLayout detectLayout(const std::vector<std::string>& names);

/// A key's name in our (timm) layout; empty when it has no counterpart.
std::string timmKey(const std::string& key, WeightLayout layout);

/// Keys some checkpoints carry that inference never uses (DINOv2's mask_token).
bool isTrainingOnlyKey(const std::string& key);

/// Renames keys to our (timm) layout and adapts tensors whose layout differs (a position
/// embedding without a CLS entry). Returns target name -> (source name, tensor).
core::Result<std::map<std::string, std::pair<std::string, at::Tensor>>> toTimmLayout(const TensorMap& stateDict,
                                                                                     WeightLayout layout);

core::Status importWeights(Vit& model, const TensorMap& stateDict, WeightLayout layout = WeightLayout::Auto);

}  // namespace meridian::model
