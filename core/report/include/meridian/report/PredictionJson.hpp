#pragma once
// A prediction read from the JSON Meridian writes, for the report writers: what `infer` prints
// and saves as <input>.prediction.json ({"model": {"name", "sha256"}, "input", "outputs":
// {task: {label: probability}}}), or a project's stored outputs (that layout, or a flat
// {label: probability} whose model the caller names from the model run).

#include <filesystem>
#include <string>

#include "meridian/core/Result.hpp"
#include "meridian/report/ReportData.hpp"

namespace meridian::report {

struct PredictionRecord {
  Prediction prediction;
  std::string input;     // the image, volume or slide it was made on ("" when not recorded)
  std::string modality;  // as the input said ("" when not recorded)
};

/// Parses `text`. `modelName` and `weightsSha256` fill in what the JSON does not name. With
/// several tasks, each label is "task: label". Fails (Corrupt) on text that is not such JSON,
/// or (InvalidArgument) when validatePrediction() refuses the result.
core::Result<PredictionRecord> predictionFromJson(const std::string& text, const std::string& modelName = {},
                                                  const std::string& weightsSha256 = {});

/// predictionFromJson() of a file's contents; errors name the file.
core::Result<PredictionRecord> readPredictionFile(const std::filesystem::path& path);

}  // namespace meridian::report
