#include "meridian/service/StoredPrediction.hpp"

#include <nlohmann/json.hpp>

namespace meridian::service {
using json = nlohmann::json;

std::string inferenceOutputsJson(const CasePrediction& p, std::size_t patchesDone, std::size_t patchesTotal) {
  json probabilities = json::array();
  std::string topTask;
  for (const auto& lp : p.probabilities) {
    probabilities.push_back({{"task", lp.task}, {"label", lp.label}, {"probability", lp.probability}});
    if (lp.label == p.topLabel && topTask.empty()) topTask = lp.task;
  }
  json out = {{"kind", "inference"},
              {"model", {{"name", p.modelName}, {"sha256", p.weightsSha256}}},
              {"case_kind", project::toString(p.kind)},
              {"top", {{"task", topTask}, {"label", p.topLabel}, {"probability", p.topProbability}}},
              {"probabilities", probabilities},
              {"aggregation", p.scoreAggregation}};
  if (!p.sliceCurve.empty()) out["slice_curve"] = p.sliceCurve;
  if (p.kind == project::CaseKind::Slide) out["patches"] = {{"done", patchesDone}, {"total", patchesTotal}};
  return out.dump();
}

core::Result<std::optional<CasePrediction>> readInference(const project::Prediction& stored) {
  const json j = json::parse(stored.outputsJson, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("kind", "") != "inference") return std::optional<CasePrediction>{};
  try {
    CasePrediction p;
    p.caseId = stored.caseId;
    p.predictionId = stored.id;
    p.weightsSha256 = stored.weightsSha256;
    p.mapFile = stored.mapFile;
    p.createdUtc = stored.createdUtc;
    p.modelName = j.at("model").at("name").get<std::string>();
    const auto kind = project::caseKindFromString(j.at("case_kind").get<std::string>());
    if (!kind) throw std::runtime_error("unknown case kind");
    p.kind = *kind;
    p.topLabel = j.at("top").at("label").get<std::string>();
    p.topProbability = j.at("top").at("probability").get<float>();
    for (const auto& lp : j.at("probabilities"))
      p.probabilities.push_back({lp.at("task").get<std::string>(), lp.at("label").get<std::string>(),
                                 lp.at("probability").get<float>()});
    p.scoreAggregation = j.value("aggregation", "");
    if (j.contains("slice_curve")) p.sliceCurve = j.at("slice_curve").get<std::vector<float>>();
    return std::optional<CasePrediction>(std::move(p));
  } catch (const std::exception& e) {
    return core::makeError(core::ErrorCode::Corrupt, "prediction " + std::to_string(stored.id) + " of case " +
                                                         std::to_string(stored.caseId) + " is damaged: " + e.what());
  }
}

std::optional<StoredExplanation> readExplanation(const project::Prediction& stored) {
  const json j = json::parse(stored.outputsJson, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("kind", "") != "explanation" || stored.mapFile.empty())
    return std::nullopt;
  const auto method = parseExplainKind(j.value("method", ""));
  if (!method) return std::nullopt;
  StoredExplanation e;
  e.predictionId = stored.id;
  e.method = *method;
  e.head = j.value("head", -1);
  e.className = j.value("class", "");
  e.description = j.value("description", "");
  e.mapFile = stored.mapFile;
  e.createdUtc = stored.createdUtc;
  return e;
}

std::optional<CasePrediction> latestInference(const std::vector<project::Prediction>& stored) {
  for (auto it = stored.rbegin(); it != stored.rend(); ++it) {
    auto read = readInference(*it);
    if (read && read.value()) return *read.value();
  }
  return std::nullopt;
}

}  // namespace meridian::service
