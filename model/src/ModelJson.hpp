#pragma once
// model.json of a Meridian model folder: the architecture, the preprocessing and the model
// card (tasks with label names, provenance including the weights' SHA-256). Private:
// nlohmann-json stays out of the public headers.
//
//   { "format": "meridian-model", "format_version": 1, "name": ..., "modality": ...,
//     "architecture": {"type": "vit", "image_size": 224, ...},
//     "preprocess": {"modality": "ct", "ct_windows": [{"center": -600, "width": 1500}], "mean": [...], ...},
//     "tasks": [{"name": "finding", "labels": ["normal", "nodule"]}],
//     "provenance": {"method": "import", "weights_sha256": "...", ...} }

#include <string>

#include "meridian/core/Result.hpp"
#include "meridian/model/ModelCard.hpp"
#include "meridian/model/PreprocessConfig.hpp"
#include "meridian/model/VitConfig.hpp"

namespace meridian::model {

inline constexpr const char* kModelJsonFile = "model.json";
inline constexpr const char* kWeightsFile = "weights.safetensors";

struct ModelDescription {
  VitConfig vit;
  PreprocessConfig preprocess;
  ModelCard card;
};

std::string toModelJson(const ModelDescription& description);
/// Missing optional keys keep their defaults; wrong types and invalid values are errors
/// naming the key; the tasks must fit the head (checkTasksFitHead).
core::Result<ModelDescription> parseModelJson(const std::string& json);

}  // namespace meridian::model
