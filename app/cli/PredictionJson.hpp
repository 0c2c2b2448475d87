#pragma once
// A prediction as JSON, with the model card's label names: what `infer --json` prints and
// what the volume and slide pipelines reuse for their per-item outputs.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "meridian/model/ModelCard.hpp"
#include "meridian/model/Prediction.hpp"

namespace meridian::app {

/// The tasks a prediction is read with: the card's, or one task "classification" with
/// labels class_0 ... class_{n-1} when the card names none.
std::vector<model::ModelTask> effectiveTasks(const model::ModelCard& card, std::size_t outputs);

/// {task: {label: probability}} over all tasks.
nlohmann::json taskOutputs(const std::vector<model::ModelTask>& tasks, const std::vector<float>& probabilities);

/// The k most probable labels of the first task, [{task, label, probability}], most probable first.
nlohmann::json topLabels(const std::vector<model::ModelTask>& tasks, const std::vector<float>& probabilities,
                         std::size_t k);

/// Index of `label` in the outputs (across tasks), or -1 when no task has it.
int outputIndexOf(const std::vector<model::ModelTask>& tasks, const std::string& label);

}  // namespace meridian::app
