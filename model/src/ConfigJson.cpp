#include "ConfigJson.hpp"

#include <nlohmann/json.hpp>

namespace meridian::model {
namespace {

using nlohmann::json;

core::Error badKey(const std::string& key, const std::string& what) {
  return core::makeError(core::ErrorCode::Corrupt, "config.json: '" + key + "' " + what);
}

template <class T>
core::Status readNumber(const json& object, const char* key, T& out) {
  const auto it = object.find(key);
  if (it == object.end()) return core::Ok{};
  if (!it->is_number()) return badKey(key, "must be a number");
  out = it->get<T>();
  return core::Ok{};
}

core::Status readTriple(const json& object, const char* key, std::array<float, 3>& out) {
  const auto it = object.find(key);
  if (it == object.end()) return core::Ok{};
  if (!it->is_array() || it->size() != 3) return badKey(key, "must be an array of 3 numbers");
  for (int i = 0; i < 3; ++i) {
    if (!(*it)[i].is_number()) return badKey(key, "must be an array of 3 numbers");
    out[i] = (*it)[i].get<float>();
  }
  return core::Ok{};
}

}  // namespace

std::string toJson(const ModelConfig& config) {
  const VitConfig& v = config.vit;
  json j = {
      {"architecture", "vit"},
      {"image_size", v.imageSize},
      {"patch_size", v.patchSize},
      {"embed_dim", v.embedDim},
      {"depth", v.depth},
      {"num_heads", v.heads},
      {"mlp_ratio", v.mlpRatio},
      {"register_tokens", v.registerTokens},
      {"layer_scale_init", v.layerScaleInit},
      {"pooling", v.pooling == VitPooling::Cls ? "cls" : "mean"},
      {"num_classes", v.numClasses},
      {"layer_norm_eps", v.layerNormEps},
      {"qkv_bias", v.qkvBias},
      {"preprocess",
       {{"mean", config.preprocess.mean}, {"std", config.preprocess.std}, {"pad_value", config.preprocess.padValue}}}};
  return j.dump(2) + "\n";
}

core::Result<ModelConfig> parseModelConfig(const std::string& text) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    return core::makeError(core::ErrorCode::Corrupt, "config.json is not a JSON object");
  if (j.contains("architecture") && j["architecture"] != "vit")
    return core::makeError(core::ErrorCode::Unsupported, "config.json: architecture is not 'vit'");
  ModelConfig config;
  VitConfig& v = config.vit;
  for (auto status :
       {readNumber(j, "image_size", v.imageSize), readNumber(j, "patch_size", v.patchSize),
        readNumber(j, "embed_dim", v.embedDim), readNumber(j, "depth", v.depth), readNumber(j, "num_heads", v.heads),
        readNumber(j, "mlp_ratio", v.mlpRatio), readNumber(j, "register_tokens", v.registerTokens),
        readNumber(j, "layer_scale_init", v.layerScaleInit), readNumber(j, "num_classes", v.numClasses),
        readNumber(j, "layer_norm_eps", v.layerNormEps)})
    if (!status) return status.error();
  if (j.contains("pooling")) {
    if (j["pooling"] == "cls")
      v.pooling = VitPooling::Cls;
    else if (j["pooling"] == "mean")
      v.pooling = VitPooling::Mean;
    else
      return badKey("pooling", "must be \"cls\" or \"mean\"");
  }
  if (j.contains("qkv_bias")) {
    if (!j["qkv_bias"].is_boolean()) return badKey("qkv_bias", "must be true or false");
    v.qkvBias = j["qkv_bias"].get<bool>();
  }
  if (j.contains("preprocess")) {
    const json& p = j["preprocess"];
    if (!p.is_object()) return badKey("preprocess", "must be an object");
    for (auto status : {readTriple(p, "mean", config.preprocess.mean), readTriple(p, "std", config.preprocess.std),
                        readNumber(p, "pad_value", config.preprocess.padValue)})
      if (!status) return status.error();
    for (float s : config.preprocess.std)
      if (!(s > 0.0f)) return badKey("preprocess.std", "must be positive");
  }
  auto status = v.validate();
  if (!status) return status.error();
  return config;
}

}  // namespace meridian::model
