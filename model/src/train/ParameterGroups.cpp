#include "ParameterGroups.hpp"

#include <cmath>
#include <map>
#include <memory>
#include <stdexcept>
#include <utility>

namespace meridian::model::train {

namespace {

bool startsWith(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

int layerIdOf(const std::string& name, int depth) {
  if (startsWith(name, "patch_embed.") || name == "cls_token" || name == "reg_token" || name == "pos_embed") return 0;
  if (startsWith(name, "blocks.")) {
    const auto end = name.find('.', 7);
    const int block = std::stoi(name.substr(7, end - 7));
    return block + 1;
  }
  // Final norm, head and anything a trainer adds on top (a new classifier) learn at full rate.
  return depth + 1;
}

bool takesWeightDecay(const std::string& name, const torch::Tensor& parameter) {
  if (parameter.dim() <= 1) return false;  // biases, LayerNorm weights, LayerScale gammas
  if (name == "cls_token" || name == "reg_token" || name == "pos_embed") return false;
  return !endsWith(name, ".bias");
}

ParameterGroups buildParameterGroups(const torch::nn::Module& model, int depth, const ParameterGroupOptions& options) {
  // Ordered by (layer, decay) so the group order is stable from run to run.
  std::map<std::pair<int, bool>, std::vector<torch::Tensor>> buckets;
  for (const auto& item : model.named_parameters(/*recurse=*/true)) {
    if (!item.value().requires_grad()) continue;
    buckets[{layerIdOf(item.key(), depth), takesWeightDecay(item.key(), item.value())}].push_back(item.value());
  }
  ParameterGroups result;
  for (auto& [key, parameters] : buckets) {
    const auto [layer, decay] = key;
    const double scale = std::pow(options.layerDecay, depth + 1 - layer);
    auto groupOptions = std::make_unique<torch::optim::AdamWOptions>(scale);
    groupOptions->betas({options.beta1, options.beta2})
        .eps(options.eps)
        .weight_decay(decay ? options.weightDecay : 0.0);
    result.groups.emplace_back(std::move(parameters), std::move(groupOptions));
    result.lrScales.push_back(scale);
    result.names.push_back("layer " + std::to_string(layer) + (decay ? ", decay" : ", no decay"));
  }
  return result;
}

void applyLearningRate(torch::optim::Optimizer& optimizer, const ParameterGroups& groups, double lr) {
  auto& paramGroups = optimizer.param_groups();
  if (paramGroups.size() != groups.lrScales.size())
    throw std::logic_error("applyLearningRate: the optimiser was not built from these parameter groups");
  for (std::size_t i = 0; i < paramGroups.size(); ++i)
    static_cast<torch::optim::AdamWOptions&>(paramGroups[i].options()).lr(lr * groups.lrScales[i]);
}

}  // namespace meridian::model::train
