// The model card as the model panel and `project predict` show it.

#include <algorithm>
#include <sstream>

#include "VitModelService.hpp"

namespace meridian::service {

ModelCardView makeCardView(const model::VitModel& vit, const std::filesystem::path& folder) {
  const model::ModelCard& card = vit.card();
  const model::VitConfig& config = vit.config();
  ModelCardView view;
  std::error_code ec;
  view.folder = std::filesystem::absolute(folder, ec).lexically_normal();
  view.name = card.name.empty() ? view.folder.filename().string() : card.name;
  view.modality = card.modality;
  view.inputKind = model::toString(vit.preprocessConfig().modality);
  for (const auto& task : card.tasks) view.tasks.push_back({task.name, task.labels});
  if (view.tasks.empty() && config.numClasses > 0) {
    CardTask unnamed{"classification", {}};
    for (int i = 0; i < config.numClasses; ++i) unnamed.labels.push_back("class_" + std::to_string(i));
    view.tasks.push_back(std::move(unnamed));
  }
  for (const auto& task : view.tasks) view.labels.insert(view.labels.end(), task.labels.begin(), task.labels.end());
  std::ostringstream arch;
  arch << "ViT, " << config.depth << " blocks, " << config.embedDim << " wide, " << config.heads << " heads, patch "
       << config.patchSize << ", " << config.imageSize << " px input";
  view.architecture = arch.str();
  view.heads = config.heads;
  const model::ModelProvenance& p = card.provenance;
  view.weightsSha256 = p.weightsSha256;
  view.weightsVerified = !p.weightsSha256.empty();  // VitModel::load refuses a folder whose weights differ
  std::ostringstream training;
  training << "Method: " << (p.method.empty() ? "unknown" : p.method);
  if (!p.baseModel.empty()) training << "; base model " << p.baseModel;
  if (p.trainingImages > 0) training << "; " << p.trainingImages << " training images";
  if (!p.split.empty()) training << "; held-out split: " << p.split;
  if (!p.trainingDataSha256.empty()) training << "; training list SHA-256 " << p.trainingDataSha256.substr(0, 16) << "…";
  if (p.seed != 0) training << "; seed " << p.seed;
  training << ".";
  view.trainingSummary = training.str();
  for (const auto& [name, metric] : p.metrics) view.metrics.push_back({name, metric.value, metric.ciLow, metric.ciHigh});
  std::sort(view.metrics.begin(), view.metrics.end(), [](const CardMetric& a, const CardMetric& b) { return a.name < b.name; });
  view.notes = p.notes;
  view.createdAt = p.createdAt;
  view.createdWith = p.createdWith;
  return view;
}

}  // namespace meridian::service
