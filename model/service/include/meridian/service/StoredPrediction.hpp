#pragma once
// A prediction as the model service stores it in a project (Prediction::outputsJson) and
// reads it back: the results table and `project list` show stored predictions without
// loading the model. Torch-free, Qt-free (part of the loader target).
//
// outputsJson of an inference prediction:
//   {"kind": "inference", "model": {"name", "sha256"}, "case_kind": "image|volume|slide",
//    "top": {"task", "label", "probability"},
//    "probabilities": [{"task", "label", "probability"}, ...]   (head order),
//    "aggregation": "image" | "mean over N slices" | "mean over N patches",
//    "slice_curve": [p_k ...]       (volumes: top label's probability per axial slice),
//    "patches": {"done", "total"}  (slides)}
// outputsJson of an explanation (mapFile set):
//   {"kind": "explanation", "method": "cls|rollout|gradcam", "head": -1, "class": "label"|"",
//    "description": "...", "model": {"name", "sha256"}}

#include <optional>
#include <string>
#include <vector>

#include "meridian/core/Result.hpp"
#include "meridian/project/ProjectRecords.hpp"
#include "meridian/service/ModelService.hpp"

namespace meridian::service {

/// The JSON text stored for `p` (p.predictionId, caseId, mapFile, createdUtc are columns,
/// not part of the text).
std::string inferenceOutputsJson(const CasePrediction& p, std::size_t patchesDone = 0, std::size_t patchesTotal = 0);

/// Reads a stored inference prediction back; nullopt for other records (explanations,
/// predictions written by other tools). Fails on a record that says it is an inference but
/// is damaged.
core::Result<std::optional<CasePrediction>> readInference(const project::Prediction& stored);

/// The explanation records of a case's predictions: method, head, class, map file.
struct StoredExplanation {
  project::PredictionId predictionId = 0;
  ExplainKind method = ExplainKind::ClsAttention;
  int head = -1;
  std::string className;
  std::string description;
  std::string mapFile;  // relative to the project folder
  std::string createdUtc;
};
std::optional<StoredExplanation> readExplanation(const project::Prediction& stored);

/// The newest inference prediction of each kind in `stored` (a case's list, oldest first).
std::optional<CasePrediction> latestInference(const std::vector<project::Prediction>& stored);

}  // namespace meridian::service
