#include "meridian/model/VitConfig.hpp"

#include <cstdio>

namespace meridian::model {

core::Status VitConfig::validate() const {
  auto bad = [](const std::string& what) {
    return core::makeError(core::ErrorCode::InvalidArgument, "ViT configuration: " + what);
  };
  if (patchSize != 8 && patchSize != 14 && patchSize != 16)
    return bad("patch size " + std::to_string(patchSize) + " (use 8, 14 or 16)");
  if (imageSize < patchSize || imageSize > 4096 || imageSize % patchSize != 0)
    return bad("image size " + std::to_string(imageSize) + " must be a multiple of the patch size " +
               std::to_string(patchSize) + " up to 4096");
  if (embedDim < 1 || embedDim > 8192) return bad("embedding width " + std::to_string(embedDim));
  if (heads < 1 || embedDim % heads != 0)
    return bad(std::to_string(heads) + " heads do not divide the width " + std::to_string(embedDim));
  if (depth < 1 || depth > 256) return bad("depth " + std::to_string(depth));
  if (!(mlpRatio > 0.0) || mlpRatio > 16.0 || mlpHidden() < 1) {
    char ratio[32];  // %g: 1e+300 rather than 301 digits
    std::snprintf(ratio, sizeof ratio, "%g", mlpRatio);
    return bad(std::string("MLP ratio ") + ratio + " (use more than 0, up to 16)");
  }
  if (registerTokens < 0 || registerTokens > 64) return bad("register tokens " + std::to_string(registerTokens));
  if (layerScaleInit < 0.0) return bad("LayerScale init must be >= 0 (0 = off)");
  if (numClasses < 0 || numClasses > 1000000) return bad("class count " + std::to_string(numClasses));
  if (!(layerNormEps > 0.0) || layerNormEps > 1e-2) return bad("LayerNorm epsilon");
  return core::Ok{};
}

core::Result<VitConfig> VitConfig::preset(const std::string& name, int numClasses) {
  // Widths, depths and heads of torchvision's vit_*_16 and timm's vit_tiny/small/base/large.
  struct Size {
    const char* name;
    int dim, depth, heads;
  };
  static const Size kSizes[] = {
      {"vit_t_16", 192, 12, 3}, {"vit_s_16", 384, 12, 6}, {"vit_b_16", 768, 12, 12}, {"vit_l_16", 1024, 24, 16}};
  for (const auto& s : kSizes) {
    if (name != s.name) continue;
    VitConfig config;
    config.embedDim = s.dim;
    config.depth = s.depth;
    config.heads = s.heads;
    config.patchSize = 16;
    config.imageSize = 224;
    config.numClasses = numClasses;
    auto status = config.validate();
    if (!status) return status.error();
    return config;
  }
  return core::makeError(core::ErrorCode::InvalidArgument,
                         "unknown ViT preset '" + name + "' (vit_t_16, vit_s_16, vit_b_16, vit_l_16)");
}

}  // namespace meridian::model
