#pragma once
// TrainingResult <-> MODEL_FOLDER/training.json: the curves a training run ended with, kept
// beside the weights so the panel shows them again after the project is reopened.

#include <filesystem>

#include "meridian/service/ProjectTraining.hpp"

namespace meridian::service {

inline constexpr const char* kTrainingResultFile = "training.json";

/// Written atomically (temporary file, then rename).
core::Status writeTrainingResult(const TrainingResult& result, const std::filesystem::path& file);
core::Result<TrainingResult> readTrainingResultFile(const std::filesystem::path& file);

}  // namespace meridian::service
