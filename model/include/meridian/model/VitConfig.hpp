#pragma once
// The architecture of a Vision Transformer, as plain data (torch-free: ui/ and app/
// read and show it). Presets follow torchvision's and timm's sizes.

#include <string>

#include "meridian/core/Result.hpp"

namespace meridian::model {

enum class VitPooling { Cls, Mean };

struct VitConfig {
  int imageSize = 224;  // square input the position embedding was trained for
  int patchSize = 16;   // 8, 14 or 16
  int embedDim = 768;
  int depth = 12;
  int heads = 12;
  double mlpRatio = 4.0;
  int registerTokens = 0;       // DINOv2-style "registers" (0 = none)
  double layerScaleInit = 0.0;  // > 0 adds LayerScale (ls1/ls2 gammas) with this initial value
  VitPooling pooling = VitPooling::Cls;
  int numClasses = 1000;       // 0 = no classification head (embedding only)
  double layerNormEps = 1e-6;  // torchvision and timm ViTs both use 1e-6
  bool qkvBias = true;

  int gridSize() const { return imageSize / patchSize; }
  int numPatches() const { return gridSize() * gridSize(); }
  int mlpHidden() const { return static_cast<int>(embedDim * mlpRatio); }

  /// Checks that the numbers fit together (heads divide the width, the patch divides
  /// the image, sizes are sane); the message names what is wrong.
  core::Status validate() const;

  /// "vit_t_16", "vit_s_16", "vit_b_16", "vit_l_16" (optionally with numClasses).
  static core::Result<VitConfig> preset(const std::string& name, int numClasses = 1000);
};

}  // namespace meridian::model
