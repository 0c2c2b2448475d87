#include "meridian/ui/ModelResults.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "meridian/project/ProjectStore.hpp"
#include "meridian/service/StoredPrediction.hpp"

namespace meridian::ui {

core::Result<std::vector<ResultRow>> resultRows(const project::ProjectStore& store, int* damaged) {
  auto cases = store.listCases();
  if (!cases) return cases.error();
  std::vector<ResultRow> rows;
  int bad = 0;
  for (const auto& c : cases.value()) {
    auto stored = store.predictions(c.id);
    if (!stored) return stored.error();
    std::optional<service::CasePrediction> newest;
    for (auto it = stored.value().rbegin(); it != stored.value().rend() && !newest; ++it) {
      auto read = service::readInference(*it);
      if (!read) ++bad;
      else if (read.value()) newest = *read.value();
    }
    if (!newest) continue;
    ResultRow row;
    row.caseId = c.id;
    row.kind = c.kind;
    row.caseName = c.seriesUid.empty() ? std::filesystem::path(c.path).filename().string()
                                       : (c.seriesDescription.empty() ? "series " + std::to_string(c.seriesNumber)
                                                                      : c.seriesDescription);
    row.prediction = std::move(*newest);
    rows.push_back(std::move(row));
  }
  if (damaged != nullptr) *damaged = bad;
  return rows;
}

float probabilityOf(const ResultRow& row, const std::string& label) {
  if (label.empty()) return row.prediction.topProbability;
  for (const auto& lp : row.prediction.probabilities)
    if (lp.label == label) return lp.probability;
  return 0.f;
}

void sortRows(std::vector<ResultRow>& rows, const std::string& label, bool ascending) {
  std::stable_sort(rows.begin(), rows.end(), [&](const ResultRow& a, const ResultRow& b) {
    const float pa = probabilityOf(a, label), pb = probabilityOf(b, label);
    return ascending ? pa < pb : pa > pb;
  });
}

std::vector<std::string> labelColumns(const std::vector<ResultRow>& rows) {
  std::vector<std::string> labels;
  for (const auto& row : rows)
    for (const auto& lp : row.prediction.probabilities)
      if (std::find(labels.begin(), labels.end(), lp.label) == labels.end()) labels.push_back(lp.label);
  return labels;
}

std::string formatMetric(const service::CardMetric& metric) {
  char text[96];
  if (metric.hasInterval())
    std::snprintf(text, sizeof text, "%.3f [%.3f, %.3f]", metric.value, metric.ciLow, metric.ciHigh);
  else
    std::snprintf(text, sizeof text, "%.3f", metric.value);
  return text;
}

std::vector<std::string> cardLines(const service::ModelCardView& card) {
  std::vector<std::string> lines;
  lines.push_back(card.name);
  lines.push_back(card.useNotice);
  std::string labels;
  // A single task with the default name "label" is shown without it ("Labels: CT, MR", not
  // "Labels: label: CT, MR"); a named task or several tasks keep their names.
  const bool nameTasks = card.tasks.size() > 1 || (card.tasks.size() == 1 && card.tasks[0].name != "label");
  for (const auto& task : card.tasks) {
    labels += (labels.empty() ? "" : "; ") + (nameTasks ? task.name + ": " : std::string());
    for (std::size_t i = 0; i < task.labels.size(); ++i) labels += (i ? ", " : "") + task.labels[i];
  }
  lines.push_back("Labels: " + (labels.empty() ? std::string("none (embedding only)") : labels));
  lines.push_back("Weights SHA-256: " + card.weightsSha256 + (card.weightsVerified ? " (verified)" : " (not verified)"));
  lines.push_back("Input: " + (card.modality.empty() ? std::string("any modality") : card.modality) + ", " +
                  card.inputKind + "; " + card.architecture);
  lines.push_back("Training: " + card.trainingSummary);
  if (card.metrics.empty()) lines.push_back("Held-out metrics: none recorded");
  for (const auto& m : card.metrics) lines.push_back("  " + m.name + "  " + formatMetric(m));
  if (!card.createdAt.empty()) lines.push_back("Created " + card.createdAt + " by " + card.createdWith);
  if (!card.notes.empty()) lines.push_back("Notes: " + card.notes);
  return lines;
}

std::optional<int> sliceAtCurvePosition(double x, int slices) {
  if (slices <= 0 || !std::isfinite(x)) return std::nullopt;
  return std::clamp(static_cast<int>(std::lround(x)), 0, slices - 1);
}

DeviceOffer deviceOffer(const service::RuntimeCapabilities& c) {
  DeviceOffer offer;
  offer.devices.push_back("cpu");
  if (c.cudaAvailable && c.cudaDevices > 0) {
    offer.devices.push_back("cuda");
    for (int i = 0; i < c.cudaDevices; ++i) offer.devices.push_back("cuda:" + std::to_string(i));
  } else {
    offer.note = "CUDA: not offered (this LibTorch " + c.torchVersion + " has no CUDA or sees no GPU)";
  }
  offer.bf16 = c.bf16Available || (c.cudaAvailable && c.cudaDevices > 0);
  if (!offer.bf16) offer.note += std::string(offer.note.empty() ? "" : "; ") + "bf16: " + c.bf16Reason;
  return offer;
}

}  // namespace meridian::ui
