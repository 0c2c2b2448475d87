#include "meridian/model/ModelCard.hpp"

#include <set>

namespace meridian::model {

core::Status checkTasksFitHead(const ModelCard& card, int headClasses) {
  auto bad = [](const std::string& what) { return core::makeError(core::ErrorCode::InvalidArgument, what); };
  std::size_t labels = 0;
  std::set<std::string> taskNames;
  for (const ModelTask& task : card.tasks) {
    if (task.name.empty()) return bad("model card: a task has no name");
    if (!taskNames.insert(task.name).second) return bad("model card: task '" + task.name + "' appears twice");
    if (task.labels.empty()) return bad("model card: task '" + task.name + "' has no labels");
    std::set<std::string> seen;
    for (const std::string& label : task.labels) {
      if (label.empty()) return bad("model card: task '" + task.name + "' has an empty label");
      if (!seen.insert(label).second)
        return bad("model card: task '" + task.name + "' has the label '" + label + "' twice");
    }
    labels += task.labels.size();
  }
  if (!card.tasks.empty() && labels != static_cast<std::size_t>(headClasses))
    return bad("model card: " + std::to_string(labels) + " labels for a head with " + std::to_string(headClasses) +
               " classes" + (headClasses == 0 ? " (the model has no classification head)" : ""));
  return core::Ok{};
}

}  // namespace meridian::model
