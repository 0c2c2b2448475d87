#include "PredictionJson.hpp"

#include <algorithm>
#include <numeric>

namespace meridian::app {

std::vector<model::ModelTask> effectiveTasks(const model::ModelCard& card, std::size_t outputs) {
  if (!card.tasks.empty()) return card.tasks;
  model::ModelTask unnamed{"classification", {}};
  for (std::size_t i = 0; i < outputs; ++i) unnamed.labels.push_back("class_" + std::to_string(i));
  return {unnamed};
}

nlohmann::json taskOutputs(const std::vector<model::ModelTask>& tasks, const std::vector<float>& probabilities) {
  nlohmann::json out = nlohmann::json::object();
  std::size_t index = 0;
  for (const auto& task : tasks) {
    nlohmann::json labels = nlohmann::json::object();
    for (const auto& label : task.labels)
      if (index < probabilities.size()) labels[label] = probabilities[index++];
    out[task.name] = labels;
  }
  return out;
}

nlohmann::json topLabels(const std::vector<model::ModelTask>& tasks, const std::vector<float>& probabilities,
                         std::size_t k) {
  nlohmann::json top = nlohmann::json::array();
  if (tasks.empty()) return top;
  const std::size_t count = std::min(tasks.front().labels.size(), probabilities.size());
  std::vector<std::size_t> order(count);
  std::iota(order.begin(), order.end(), 0);
  k = std::min(k, count);
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                    [&](std::size_t a, std::size_t b) { return probabilities[a] > probabilities[b]; });
  for (std::size_t i = 0; i < k; ++i)
    top.push_back({{"task", tasks.front().name},
                   {"label", tasks.front().labels[order[i]]},
                   {"probability", probabilities[order[i]]}});
  return top;
}

int outputIndexOf(const std::vector<model::ModelTask>& tasks, const std::string& label) {
  int index = 0;
  for (const auto& task : tasks)
    for (const auto& l : task.labels) {
      if (l == label) return index;
      ++index;
    }
  return -1;
}

}  // namespace meridian::app
