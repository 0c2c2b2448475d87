#include "WeightShapes.hpp"

#include <set>

#include "WeightImporter.hpp"

namespace meridian::model {
namespace {

std::string shapeText(const std::vector<std::int64_t>& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

bool isFloating(TensorDType d) {
  return d == TensorDType::F32 || d == TensorDType::F16 || d == TensorDType::BF16 || d == TensorDType::F64;
}

}  // namespace

std::map<std::string, std::vector<std::int64_t>> vitParameterShapes(const VitConfig& c) {
  const std::int64_t d = c.embedDim, hidden = c.mlpHidden();
  std::map<std::string, std::vector<std::int64_t>> shapes;
  shapes["cls_token"] = {1, 1, d};
  if (c.registerTokens > 0) shapes["reg_token"] = {1, c.registerTokens, d};
  shapes["pos_embed"] = {1, 1 + static_cast<std::int64_t>(c.numPatches()), d};
  shapes["patch_embed.proj.weight"] = {d, 3, c.patchSize, c.patchSize};
  shapes["patch_embed.proj.bias"] = {d};
  for (int b = 0; b < c.depth; ++b) {
    const std::string p = "blocks." + std::to_string(b) + ".";
    shapes[p + "norm1.weight"] = shapes[p + "norm1.bias"] = {d};
    shapes[p + "attn.qkv.weight"] = {3 * d, d};
    if (c.qkvBias) shapes[p + "attn.qkv.bias"] = {3 * d};
    shapes[p + "attn.proj.weight"] = {d, d};
    shapes[p + "attn.proj.bias"] = {d};
    shapes[p + "norm2.weight"] = shapes[p + "norm2.bias"] = {d};
    shapes[p + "mlp.fc1.weight"] = {hidden, d};
    shapes[p + "mlp.fc1.bias"] = {hidden};
    shapes[p + "mlp.fc2.weight"] = {d, hidden};
    shapes[p + "mlp.fc2.bias"] = {d};
    if (c.layerScaleInit > 0.0) shapes[p + "ls1.gamma"] = shapes[p + "ls2.gamma"] = {d};
  }
  shapes["norm.weight"] = shapes["norm.bias"] = {d};
  if (c.numClasses > 0) {
    shapes["head.weight"] = {c.numClasses, d};
    shapes["head.bias"] = {c.numClasses};
  }
  return shapes;
}

core::Status checkWeightsFitConfig(const SafeTensorsFile& file, const VitConfig& config, WeightLayout layout) {
  if (auto valid = config.validate(); !valid) return valid;
  std::vector<std::string> names;
  for (const auto& e : file.entries()) names.push_back(e.name);
  if (layout == WeightLayout::Auto) layout = detectLayout(names);
  const auto wanted = vitParameterShapes(config);
  auto mismatch = [&](const std::string& what) {
    return core::makeError(core::ErrorCode::Corrupt, file.path().string() + ": " + what +
                                                         " (the configuration and the weights disagree)");
  };
  std::set<std::string> seen;
  for (const auto& e : file.entries()) {
    if (isTrainingOnlyKey(e.name)) continue;
    const std::string target = timmKey(e.name, layout);
    const auto it = wanted.find(target);
    if (target.empty() || it == wanted.end())
      return mismatch("tensor '" + e.name + "' has no place in a ViT of width " + std::to_string(config.embedDim) +
                      ", depth " + std::to_string(config.depth));
    if (!seen.insert(target).second) return mismatch("two tensors give '" + target + "'");
    if (!isFloating(e.dtype)) return mismatch("tensor '" + e.name + "' is not floating-point");
    std::vector<std::int64_t> need = it->second;
    // timm's no_embed_class checkpoints store no position for the CLS token.
    if (target == "pos_embed" && e.shape.size() == 3 && e.shape[1] == config.numPatches()) need[1] = e.shape[1];
    if (e.shape != need)
      return mismatch("tensor '" + e.name + "' has shape " + shapeText(e.shape) + ", the configuration needs " +
                      shapeText(it->second));
  }
  for (const auto& [name, shape] : wanted)
    if (!seen.count(name)) return mismatch("no tensor for '" + name + "' " + shapeText(shape));
  return core::Ok{};
}

}  // namespace meridian::model
