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

ParameterShapes vitParameterShapes(const VitConfig& c) {
  const std::int64_t d = c.embedDim, hidden = c.mlpHidden();
  ParameterShapes shapes;
  auto add = [&](std::string name, std::vector<std::int64_t> shape) { shapes.emplace_back(std::move(name), std::move(shape)); };
  // A module's own parameters come before its children's (LibTorch's named_parameters).
  add("cls_token", {1, 1, d});
  if (c.registerTokens > 0) add("reg_token", {1, c.registerTokens, d});
  add("pos_embed", {1, 1 + static_cast<std::int64_t>(c.numPatches()), d});
  add("patch_embed.proj.weight", {d, 3, c.patchSize, c.patchSize});
  add("patch_embed.proj.bias", {d});
  for (int b = 0; b < c.depth; ++b) {
    const std::string p = "blocks." + std::to_string(b) + ".";
    add(p + "norm1.weight", {d});
    add(p + "norm1.bias", {d});
    add(p + "attn.qkv.weight", {3 * d, d});
    if (c.qkvBias) add(p + "attn.qkv.bias", {3 * d});
    add(p + "attn.proj.weight", {d, d});
    add(p + "attn.proj.bias", {d});
    add(p + "norm2.weight", {d});
    add(p + "norm2.bias", {d});
    add(p + "mlp.fc1.weight", {hidden, d});
    add(p + "mlp.fc1.bias", {hidden});
    add(p + "mlp.fc2.weight", {d, hidden});
    add(p + "mlp.fc2.bias", {d});
    if (c.layerScaleInit > 0.0) {
      add(p + "ls1.gamma", {d});
      add(p + "ls2.gamma", {d});
    }
  }
  add("norm.weight", {d});
  add("norm.bias", {d});
  if (c.numClasses > 0) {
    add("head.weight", {c.numClasses, d});
    add("head.bias", {c.numClasses});
  }
  return shapes;
}

core::Status checkWeightsFitConfig(const SafeTensorsFile& file, const VitConfig& config, WeightLayout layout) {
  if (auto valid = config.validate(); !valid) return valid;
  std::vector<std::string> names;
  for (const auto& e : file.entries()) names.push_back(e.name);
  if (layout == WeightLayout::Auto) layout = detectLayout(names);
  const ParameterShapes wanted = vitParameterShapes(config);
  std::set<std::string> wantedNames;
  for (const auto& item : wanted) wantedNames.insert(item.first);
  // The same wording as importWeights (which checks the tensors again once they are read),
  // plus the reason this check exists.
  auto mismatch = [&](const std::string& what) {
    return core::makeError(core::ErrorCode::Corrupt, file.path().string() + ": weights: " + what +
                                                         " (the configuration and the weights disagree)");
  };
  // Unknown keys first: a renamed key then shows up under the name the file uses.
  std::map<std::string, const TensorEntry*> byTarget;
  for (const auto& e : file.entries()) {
    if (isTrainingOnlyKey(e.name)) continue;
    const std::string target = timmKey(e.name, layout);
    if (target.empty() || !wantedNames.count(target))
      return mismatch("'" + e.name + "' does not fit this ViT configuration (no parameter '" +
                      (target.empty() ? e.name : target) + "')");
    if (!byTarget.emplace(target, &e).second)
      return mismatch("keys '" + byTarget[target]->name + "' and '" + e.name + "' both give '" + target + "'");
  }
  for (const auto& [name, shape] : wanted) {
    const auto it = byTarget.find(name);
    if (it == byTarget.end()) return mismatch("no tensor for '" + name + "' " + shapeText(shape));
    const TensorEntry& e = *it->second;
    if (!isFloating(e.dtype)) return mismatch("'" + e.name + "' is not a floating-point tensor");
    std::vector<std::int64_t> need = shape;
    // timm's no_embed_class checkpoints store no position for the CLS token.
    if (name == "pos_embed" && e.shape.size() == 3 && e.shape[1] == config.numPatches()) need[1] = e.shape[1];
    if (e.shape != need)
      return mismatch("'" + e.name + "' has shape " + shapeText(e.shape) + ", the model needs " + shapeText(shape) +
                      " for '" + name + "'");
  }
  return core::Ok{};
}

}  // namespace meridian::model
