#pragma once
// Casts the ViT's matrix-product weights (patch embedding, attention qkv/proj, MLP
// fc1/fc2) to a low precision such as bf16, keeping the fp32 originals so the model can
// switch back exactly and save() still writes fp32. LayerNorm, LayerScale, the tokens,
// the position embedding and the head stay fp32: they are cheap and carry the numerics
// (VitBlock casts around each branch; see VitBlock.cpp).

#include <ATen/ATen.h>

#include <map>
#include <string>

#include "Vit.hpp"

namespace meridian::model {

class MatmulWeightCast {
 public:
  /// Casts to `type` (restoring first if another cast is active). kFloat just restores.
  void apply(VitImpl& net, at::ScalarType type);
  /// Puts the fp32 originals back.
  void restore(VitImpl& net);
  /// The fp32 value of parameter `name`: its original while cast, else `current`.
  at::Tensor original(const std::string& name, const at::Tensor& current) const;

  /// Which parameters are cast: weights and biases of the patch embedding and of the
  /// blocks' attention and MLP layers.
  static bool isMatmulParameter(const std::string& name);

 private:
  std::map<std::string, at::Tensor> originals_;
};

}  // namespace meridian::model
