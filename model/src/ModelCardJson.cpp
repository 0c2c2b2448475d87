#include "ModelCardJson.hpp"

#include "JsonRead.hpp"

namespace meridian::model {
namespace {

using json_read::badKey;
using nlohmann::json;

json provenanceJson(const ModelProvenance& p) {
  json metrics = json::object();
  for (const auto& [name, m] : p.metrics)
    metrics[name] = {{"value", m.value}, {"ci_low", m.ciLow}, {"ci_high", m.ciHigh}};
  return {{"base_model", p.baseModel},
          {"base_model_sha256", p.baseModelSha256},
          {"method", p.method},
          {"training_data_sha256", p.trainingDataSha256},
          {"training_images", p.trainingImages},
          {"split", p.split},
          {"seed", p.seed},
          {"hyper_parameters", p.hyperParameters},
          {"metrics", metrics},
          {"weights_sha256", p.weightsSha256},
          {"created_with", p.createdWith},
          {"created_at", p.createdAt},
          {"notes", p.notes}};
}

core::Status readMetrics(const json& object, std::map<std::string, MetricValue>& out) {
  const auto it = object.find("metrics");
  if (it == object.end()) return core::Ok{};
  if (!it->is_object()) return badKey("provenance.metrics", "must be an object");
  for (const auto& [name, value] : it->items()) {
    const std::string prefix = "provenance.metrics." + name + ".";
    MetricValue m;
    if (value.is_number()) {  // a bare number: no interval
      m.value = m.ciLow = m.ciHigh = value.get<double>();
    } else if (value.is_object()) {
      for (auto status :
           {json_read::number(value, prefix, "value", m.value), json_read::number(value, prefix, "ci_low", m.ciLow),
            json_read::number(value, prefix, "ci_high", m.ciHigh)})
        if (!status) return status.error();
    } else {
      return badKey("provenance.metrics." + name, "must be a number or {value, ci_low, ci_high}");
    }
    out[name] = m;
  }
  return core::Ok{};
}

core::Status readHyperParameters(const json& object, std::map<std::string, std::string>& out) {
  const auto it = object.find("hyper_parameters");
  if (it == object.end()) return core::Ok{};
  if (!it->is_object()) return badKey("provenance.hyper_parameters", "must be an object");
  for (const auto& [name, value] : it->items())
    out[name] = value.is_string() ? value.get<std::string>() : value.dump();  // numbers keep their spelling
  return core::Ok{};
}

core::Result<ModelProvenance> readProvenance(const json& object) {
  ModelProvenance p;
  const std::string k = "provenance.";
  for (auto status :
       {json_read::text(object, k, "base_model", p.baseModel),
        json_read::text(object, k, "base_model_sha256", p.baseModelSha256),
        json_read::text(object, k, "method", p.method),
        json_read::text(object, k, "training_data_sha256", p.trainingDataSha256),
        json_read::number(object, k, "training_images", p.trainingImages), json_read::text(object, k, "split", p.split),
        json_read::number(object, k, "seed", p.seed), json_read::text(object, k, "weights_sha256", p.weightsSha256),
        json_read::text(object, k, "created_with", p.createdWith),
        json_read::text(object, k, "created_at", p.createdAt), json_read::text(object, k, "notes", p.notes),
        readMetrics(object, p.metrics), readHyperParameters(object, p.hyperParameters)})
    if (!status) return status.error();
  return p;
}

core::Result<std::vector<ModelTask>> readTasks(const json& array) {
  if (!array.is_array()) return badKey("tasks", "must be an array of {name, labels}");
  std::vector<ModelTask> tasks;
  for (std::size_t i = 0; i < array.size(); ++i) {
    const json& t = array[i];
    const std::string where = "tasks[" + std::to_string(i) + "]";
    if (!t.is_object()) return badKey(where, "must be an object {name, labels}");
    ModelTask task;
    if (auto status = json_read::text(t, where + ".", "name", task.name); !status) return status.error();
    const auto labels = t.find("labels");
    if (labels == t.end() || !labels->is_array()) return badKey(where + ".labels", "must be an array of strings");
    for (const json& label : *labels) {
      if (!label.is_string()) return badKey(where + ".labels", "must be an array of strings");
      task.labels.push_back(label.get<std::string>());
    }
    tasks.push_back(std::move(task));
  }
  return tasks;
}

}  // namespace

void writeModelCard(const ModelCard& card, json& out) {
  out["name"] = card.name;
  out["modality"] = card.modality;
  json tasks = json::array();
  for (const ModelTask& t : card.tasks) tasks.push_back({{"name", t.name}, {"labels", t.labels}});
  out["tasks"] = tasks;
  out["provenance"] = provenanceJson(card.provenance);
}

core::Result<ModelCard> readModelCard(const json& j) {
  ModelCard card;
  for (auto status : {json_read::text(j, "", "name", card.name), json_read::text(j, "", "modality", card.modality)})
    if (!status) return status.error();
  if (j.contains("tasks")) {
    auto tasks = readTasks(j["tasks"]);
    if (!tasks) return tasks.error();
    card.tasks = std::move(tasks).value();
  }
  if (j.contains("provenance")) {
    if (!j["provenance"].is_object()) return badKey("provenance", "must be an object");
    auto provenance = readProvenance(j["provenance"]);
    if (!provenance) return provenance.error();
    card.provenance = std::move(provenance).value();
  }
  return card;
}

}  // namespace meridian::model
