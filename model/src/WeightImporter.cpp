#include "WeightImporter.hpp"

#include <set>
#include <string>
#include <vector>
#include <sstream>

namespace meridian::model {
namespace {

bool startsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// torchvision.models.VisionTransformer key -> timm key; empty when it has no counterpart.
std::string torchvisionToTimm(const std::string& key) {
  static const std::pair<const char*, const char*> kTop[] = {
      {"conv_proj.", "patch_embed.proj."}, {"encoder.ln.", "norm."}, {"heads.head.", "head."}};
  if (key == "class_token") return "cls_token";
  if (key == "encoder.pos_embedding") return "pos_embed";
  for (const auto& [from, to] : kTop)
    if (startsWith(key, from)) return to + key.substr(std::string(from).size());

  const std::string layerPrefix = "encoder.layers.encoder_layer_";
  if (!startsWith(key, layerPrefix)) return {};
  const auto dot = key.find('.', layerPrefix.size());
  if (dot == std::string::npos) return {};
  const std::string index = key.substr(layerPrefix.size(), dot - layerPrefix.size());
  if (index.empty() || index.find_first_not_of("0123456789") != std::string::npos) return {};
  const std::string rest = key.substr(dot + 1);
  // mlp.linear_1/linear_2 are the names torchvision used before 0.13.
  static const std::pair<const char*, const char*> kBlock[] = {{"ln_1.", "norm1."},
                                                               {"self_attention.in_proj_weight", "attn.qkv.weight"},
                                                               {"self_attention.in_proj_bias", "attn.qkv.bias"},
                                                               {"self_attention.out_proj.", "attn.proj."},
                                                               {"ln_2.", "norm2."},
                                                               {"mlp.0.", "mlp.fc1."},
                                                               {"mlp.3.", "mlp.fc2."},
                                                               {"mlp.linear_1.", "mlp.fc1."},
                                                               {"mlp.linear_2.", "mlp.fc2."}};
  for (const auto& [from, to] : kBlock)
    if (startsWith(rest, from)) return "blocks." + index + "." + to + rest.substr(std::string(from).size());
  return {};
}

}  // namespace

// Keys some checkpoints carry that inference never uses (DINOv2's masked-token embedding).
bool isTrainingOnlyKey(const std::string& key) {
  return key == "mask_token";
}

std::string timmKey(const std::string& key, WeightLayout layout) {
  if (layout == WeightLayout::Torchvision) return torchvisionToTimm(key);
  if (key == "register_tokens") return "reg_token";  // DINOv2's name for timm's reg_token
  return key;
}

WeightLayout detectLayout(const std::vector<std::string>& names) {
  for (const auto& key : names)
    if (startsWith(key, "conv_proj.") || startsWith(key, "encoder.") || key == "class_token")
      return WeightLayout::Torchvision;
  return WeightLayout::Timm;
}

namespace {

std::string shapeText(at::IntArrayRef shape) {
  std::ostringstream s;
  s << shape;
  return s.str();
}

}  // namespace

WeightLayout detectLayout(const TensorMap& stateDict) {
  std::vector<std::string> names;
  for (const auto& item : stateDict) names.push_back(item.first);
  return detectLayout(names);
}

core::Result<std::map<std::string, std::pair<std::string, at::Tensor>>> toTimmLayout(const TensorMap& stateDict,
                                                                                     WeightLayout layout) {
  if (layout == WeightLayout::Auto) layout = detectLayout(stateDict);
  std::map<std::string, std::pair<std::string, at::Tensor>> out;
  for (const auto& [key, tensor] : stateDict) {
    if (isTrainingOnlyKey(key)) continue;
    const std::string target = timmKey(key, layout);
    if (target.empty())
      return core::makeError(core::ErrorCode::Unsupported,
                             "weights: key '" + key + "' has no counterpart in Meridian's ViT (torchvision layout)");
    if (out.count(target))
      return core::makeError(core::ErrorCode::Corrupt,
                             "weights: keys '" + out[target].first + "' and '" + key + "' both give '" + target + "'");
    out.emplace(target, std::make_pair(key, tensor));
  }
  return out;
}

core::Status importWeights(Vit& model, const TensorMap& stateDict, WeightLayout layout) {
  if (layout == WeightLayout::Auto) layout = detectLayout(stateDict);
  auto mapped = toTimmLayout(stateDict, layout);
  if (!mapped) return mapped.error();
  auto& source = mapped.value();
  auto params = model->named_parameters(/*recurse=*/true);

  // timm's no_embed_class models store no position for CLS; adding zero to CLS is the same.
  if (auto it = source.find("pos_embed"); it != source.end()) {
    at::Tensor& pos = it->second.second;
    if (pos.dim() == 3 && pos.size(1) == model->config().numPatches())
      pos = at::cat({at::zeros({1, 1, pos.size(2)}, pos.options()), pos}, 1);
  }

  // Unknown keys first: a renamed key then shows up under the name the file uses.
  std::set<std::string> wanted;
  for (const auto& item : params) wanted.insert(item.key());
  for (const auto& [target, entry] : source)
    if (!wanted.count(target))
      return core::makeError(
          core::ErrorCode::Corrupt,
          "weights: '" + entry.first + "' does not fit this ViT configuration (no parameter '" + target + "')");

  for (const auto& item : params) {
    const std::string& name = item.key();
    const at::Tensor& param = item.value();
    const auto it = source.find(name);
    if (it == source.end())
      return core::makeError(core::ErrorCode::Corrupt,
                             "weights: no tensor for '" + name + "'" + " (" + toString(layout) + " layout)");
    const auto& [sourceName, tensor] = it->second;
    if (!at::isFloatingType(tensor.scalar_type()))
      return core::makeError(core::ErrorCode::Corrupt, "weights: '" + sourceName + "' is not a floating-point tensor");
    // NaN or infinity in a weight turns every prediction into NaN; refused by name.
    if (!at::isfinite(tensor).all().item<bool>())
      return core::makeError(core::ErrorCode::Corrupt,
                             "weights: '" + sourceName + "' holds NaN or infinite values");
    if (tensor.sizes() != param.sizes())
      return core::makeError(core::ErrorCode::Corrupt, "weights: '" + sourceName + "' has shape " +
                                                           shapeText(tensor.sizes()) + ", the model needs " +
                                                           shapeText(param.sizes()) + " for '" + name + "'");
  }
  torch::NoGradGuard noGrad;
  for (auto& item : params) item.value().copy_(source.at(item.key()).second);
  return core::Ok{};
}

}  // namespace meridian::model
