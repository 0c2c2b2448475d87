#pragma once
// A model card as a report shows it (core/report's ModelCardSummary): name, weights SHA-256,
// training summary and held-out metrics with their CIs. Shared by the window's File ▸ Export
// and `meridian-cli report --input`, which both know the card of the model they ran. Header
// only: the structs on both sides are plain; nothing here links the model.

#include "meridian/report/ReportData.hpp"
#include "meridian/service/ModelService.hpp"

namespace meridian::service {

inline report::ModelCardSummary reportCardOf(const ModelCardView& card) {
  report::ModelCardSummary summary;
  summary.name = card.name;
  summary.weightsSha256 = card.weightsSha256;
  summary.trainingData = card.trainingSummary;
  for (const auto& m : card.metrics) summary.metrics.push_back({m.name, m.value, m.ciLow, m.ciHigh});
  return summary;
}

}  // namespace meridian::service
