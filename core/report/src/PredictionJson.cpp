#include "meridian/report/PredictionJson.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <sstream>

namespace meridian::report {
using core::ErrorCode;
using core::makeError;
using json = nlohmann::json;

namespace {

core::Status addProbability(Prediction& p, const std::string& label, const json& value) {
  if (!value.is_number())
    return makeError(ErrorCode::Corrupt, "the output '" + label + "' is not a number");
  p.labels.push_back(label);
  p.probabilities.push_back(value.get<double>());
  return core::Ok{};
}

}  // namespace

core::Result<PredictionRecord> predictionFromJson(const std::string& text, const std::string& modelName,
                                                  const std::string& weightsSha256) {
  const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object())
    return makeError(ErrorCode::Corrupt, "not a prediction: the text is not a JSON object");
  PredictionRecord record;
  Prediction& p = record.prediction;
  p.modelName = modelName;
  p.weightsSha256 = weightsSha256;
  if (doc.contains("model") && doc["model"].is_object()) {
    const json& m = doc["model"];
    if (m.contains("name") && m["name"].is_string() && !m["name"].get<std::string>().empty()) p.modelName = m["name"];
    if (m.contains("sha256") && m["sha256"].is_string() && !m["sha256"].get<std::string>().empty())
      p.weightsSha256 = m["sha256"];
  }
  if (doc.contains("input") && doc["input"].is_string()) record.input = doc["input"];
  if (doc.contains("modality") && doc["modality"].is_string()) record.modality = doc["modality"];

  // The model service's layout (what the window and `project predict` store): "probabilities",
  // a list of {task, label, probability}; labels carry their task when there are several.
  if (doc.contains("probabilities") && doc["probabilities"].is_array()) {
    const json& list = doc["probabilities"];
    std::set<std::string> tasks;
    for (const auto& entry : list)
      if (entry.is_object() && entry.contains("task") && entry["task"].is_string()) tasks.insert(entry["task"].get<std::string>());
    for (const auto& entry : list) {
      if (!entry.is_object() || !entry.contains("label") || !entry["label"].is_string() || !entry.contains("probability"))
        return makeError(ErrorCode::Corrupt, "not a prediction: a probabilities entry lacks its label or probability");
      std::string label = entry["label"];
      if (tasks.size() > 1 && entry.contains("task") && entry["task"].is_string())
        label = entry["task"].get<std::string>() + ": " + label;
      if (auto s = addProbability(p, label, entry["probability"]); !s) return s.error();
    }
    if (auto valid = validatePrediction(p); !valid) return valid.error();
    return record;
  }
  // infer's layout has "outputs"; a flat {label: p} is the outputs themselves.
  const json& outputs = doc.contains("outputs") ? doc["outputs"] : doc;
  if (!outputs.is_object() || outputs.empty())
    return makeError(ErrorCode::Corrupt, "not a prediction: no outputs (label: probability) in it");
  const bool severalTasks = outputs.size() > 1 && outputs.begin()->is_object();
  for (const auto& [key, value] : outputs.items()) {
    if (value.is_object()) {
      for (const auto& [label, probability] : value.items())
        if (auto s = addProbability(p, severalTasks ? key + ": " + label : label, probability); !s) return s.error();
    } else if (auto s = addProbability(p, key, value); !s) {
      return s.error();
    }
  }
  if (auto valid = validatePrediction(p); !valid) return valid.error();
  return record;
}

core::Result<PredictionRecord> readPredictionFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return makeError(ErrorCode::NotFound, path.string() + ": cannot open the prediction file");
  std::ostringstream text;
  text << in.rdbuf();
  auto record = predictionFromJson(text.str());
  if (!record) return core::Error{record.error().code, path.string() + ": " + record.error().message};
  return record;
}

}  // namespace meridian::report
