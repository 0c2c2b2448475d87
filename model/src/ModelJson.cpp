#include "ModelJson.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "JsonRead.hpp"
#include "ModelCardJson.hpp"

namespace meridian::model {
namespace {

using json_read::badKey;
using nlohmann::json;

constexpr const char* kFormat = "meridian-model";
constexpr int kFormatVersion = 1;

core::Status readTriple(const json& object, const char* key, std::array<float, 3>& out) {
  const auto it = object.find(key);
  if (it == object.end()) return core::Ok{};
  const std::string name = std::string("preprocess.") + key;
  if (!it->is_array() || it->size() != 3) return badKey(name, "must be an array of 3 numbers");
  for (int i = 0; i < 3; ++i) {
    if (!(*it)[i].is_number()) return badKey(name, "must be an array of 3 numbers");
    const double value = (*it)[i].get<double>();
    if (!std::isfinite(value) || std::fabs(value) > 1e6)
      return badKey(name, "must hold finite numbers of a sane size (" + (*it)[i].dump() + ")");
    out[i] = static_cast<float>(value);
  }
  return core::Ok{};
}

json architectureJson(const VitConfig& v) {
  return {{"type", "vit"},
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
          {"qkv_bias", v.qkvBias}};
}

// Floats written with 7 significant digits (0.485, not 0.48500001430511475); they read
// back to the same float.
double decimal(float v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.7g", static_cast<double>(v));
  return std::strtod(text, nullptr);
}

json decimals(const std::array<float, 3>& values) {
  return json::array({decimal(values[0]), decimal(values[1]), decimal(values[2])});
}

json preprocessJson(const PreprocessConfig& p) {
  json windows = json::array();
  for (const HuWindow& w : p.ctWindows) windows.push_back({{"center", w.center}, {"width", w.width}});
  return {{"modality", toString(p.modality)},
          {"ct_windows", windows},
          {"mean", decimals(p.mean)},
          {"std", decimals(p.std)},
          {"pad_value", decimal(p.padValue)}};
}

core::Result<VitConfig> readArchitecture(const json& a) {
  if (!a.is_object()) return badKey("architecture", "must be an object");
  if (a.value("type", std::string("vit")) != "vit")
    return core::makeError(core::ErrorCode::Unsupported, "model.json: architecture.type is not 'vit'");
  VitConfig v;
  const std::string k = "architecture.";
  for (auto status :
       {json_read::number(a, k, "image_size", v.imageSize), json_read::number(a, k, "patch_size", v.patchSize),
        json_read::number(a, k, "embed_dim", v.embedDim), json_read::number(a, k, "depth", v.depth),
        json_read::number(a, k, "num_heads", v.heads), json_read::number(a, k, "mlp_ratio", v.mlpRatio),
        json_read::number(a, k, "register_tokens", v.registerTokens),
        json_read::number(a, k, "layer_scale_init", v.layerScaleInit),
        json_read::number(a, k, "num_classes", v.numClasses),
        json_read::number(a, k, "layer_norm_eps", v.layerNormEps)})
    if (!status) return status.error();
  if (a.contains("pooling")) {
    if (a["pooling"] == "cls")
      v.pooling = VitPooling::Cls;
    else if (a["pooling"] == "mean")
      v.pooling = VitPooling::Mean;
    else
      return badKey("architecture.pooling", "must be \"cls\" or \"mean\"");
  }
  if (a.contains("qkv_bias")) {
    if (!a["qkv_bias"].is_boolean()) return badKey("architecture.qkv_bias", "must be true or false");
    v.qkvBias = a["qkv_bias"].get<bool>();
  }
  if (auto status = v.validate(); !status) return status.error();
  return v;
}

core::Result<std::vector<HuWindow>> readWindows(const json& array) {
  if (!array.is_array()) return badKey("preprocess.ct_windows", "must be an array of {center, width}");
  std::vector<HuWindow> windows;
  for (const json& w : array) {
    if (!w.is_object() || !w.contains("center") || !w.contains("width") || !w["center"].is_number() ||
        !w["width"].is_number())
      return badKey("preprocess.ct_windows", "must be an array of {center, width} in HU");
    windows.push_back({w["center"].get<double>(), w["width"].get<double>()});
    if (!(windows.back().width >= 1.0) || !std::isfinite(windows.back().width) || !std::isfinite(windows.back().center) ||
        std::fabs(windows.back().center) > 1e6 || windows.back().width > 1e6)
      return badKey("preprocess.ct_windows", "window centres and widths must be finite HU (width at least 1)");
  }
  if (windows.size() != 0 && windows.size() != 1 && windows.size() != 3)
    return badKey("preprocess.ct_windows",
                  "holds " + std::to_string(windows.size()) + " windows; use 1 (replicated) or 3 (one per channel)");
  return windows;
}

core::Result<PreprocessConfig> readPreprocess(const json& p) {
  if (!p.is_object()) return badKey("preprocess", "must be an object");
  PreprocessConfig config;
  if (p.contains("modality")) {
    const auto modality =
        p["modality"].is_string() ? parseInputModality(p["modality"].get<std::string>()) : std::nullopt;
    if (!modality) return badKey("preprocess.modality", "must be \"any\", \"ct\", \"grayscale\" or \"color\"");
    config.modality = *modality;
  }
  if (p.contains("ct_windows")) {
    auto windows = readWindows(p["ct_windows"]);
    if (!windows) return windows.error();
    config.ctWindows = std::move(windows).value();
  }
  for (auto status : {readTriple(p, "mean", config.mean), readTriple(p, "std", config.std),
                      json_read::number(p, "preprocess.", "pad_value", config.padValue)})
    if (!status) return status.error();
  // A tiny std turns every pixel into +-infinity and the prediction into NaN: inputs are
  // scaled to about [0, 1] before normalisation, so 1e-3 is already far past any real use.
  for (float s : config.std)
    if (!(s >= 1e-3f)) return badKey("preprocess.std", "must be at least 0.001 (inputs are scaled to [0, 1] first)");
  // Any and grayscale models take them too: for a CT in Hounsfield units with no window of its own.
  if (!config.ctWindows.empty() && config.modality == InputModality::Color)
    return badKey("preprocess.ct_windows", "a colour model takes no CT windows");
  return config;
}

}  // namespace

std::string toModelJson(const ModelDescription& d) {
  json j = {{"format", kFormat}, {"format_version", kFormatVersion}};
  writeModelCard(d.card, j);
  j["architecture"] = architectureJson(d.vit);
  j["preprocess"] = preprocessJson(d.preprocess);
  return j.dump(2) + "\n";
}

core::Result<ModelDescription> parseModelJson(const std::string& text) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    return core::makeError(core::ErrorCode::Corrupt, "model.json is not a JSON object");
  if (j.value("format", std::string()) != kFormat)
    return badKey("format", std::string("must be \"") + kFormat + "\" (is this a Meridian model folder?)");
  if (!j.contains("format_version") || !j["format_version"].is_number_integer() ||
      j["format_version"].get<int>() > kFormatVersion)
    return core::makeError(core::ErrorCode::Unsupported,
                           "model.json: format_version " +
                               (j.contains("format_version") ? j["format_version"].dump() : "missing") +
                               "; this Meridian reads version " + std::to_string(kFormatVersion));
  if (!j.contains("architecture")) return badKey("architecture", "is missing");
  ModelDescription d;
  auto vit = readArchitecture(j["architecture"]);
  if (!vit) return vit.error();
  d.vit = vit.value();
  if (j.contains("preprocess")) {
    auto preprocess = readPreprocess(j["preprocess"]);
    if (!preprocess) return preprocess.error();
    d.preprocess = std::move(preprocess).value();
  }
  auto card = readModelCard(j);
  if (!card) return card.error();
  d.card = std::move(card).value();
  if (auto status = checkTasksFitHead(d.card, d.vit.numClasses); !status)
    return core::makeError(status.error().code, "model.json: " + status.error().message);
  return d;
}

}  // namespace meridian::model
