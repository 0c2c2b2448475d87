#pragma once
// One step of Meridian's own fine-tuning loop (forwardBackward + AdamW over the layer-wise
// parameter groups) on fixed random inputs: what bench_train times against its eager peer,
// and bench_dino's per-FLOP yardstick. Weights are random; speed does not depend on them.

#include <torch/torch.h>

#include "Vit.hpp"
#include "train/FineTune.hpp"
#include "train/ParameterGroups.hpp"

namespace meridian::bench {

class FineTuneStep {
 public:
  /// `config` with numClasses forced to 2; `batch` random inputs at its image size.
  FineTuneStep(model::VitConfig config, int batch) : config_(withTwoClasses(config)) {
    torch::manual_seed(0);
    net_ = model::Vit(config_);
    net_->initializeWeights();
    net_->train();
    groups_ = model::train::buildParameterGroups(*net_, config_.depth, {});
    optimizer_ = std::make_unique<torch::optim::AdamW>(groups_.groups, torch::optim::AdamWOptions(1e-4));
    x_ = torch::randn({batch, 3, config_.imageSize, config_.imageSize});
    y_ = torch::arange(batch, torch::kLong).remainder(2);
    weight_ = torch::ones({2});
  }

  void run(bool bf16) {
    optimizer_->zero_grad();
    (void)model::train::forwardBackward(net_, x_, y_, weight_, 1, bf16);
    model::train::applyLearningRate(*optimizer_, groups_, 1e-4);
    optimizer_->step();
  }

 private:
  static model::VitConfig withTwoClasses(model::VitConfig config) {
    config.numClasses = 2;
    return config;
  }

  model::VitConfig config_;
  model::Vit net_{nullptr};
  model::train::ParameterGroups groups_;
  std::unique_ptr<torch::optim::AdamW> optimizer_;
  torch::Tensor x_, y_, weight_;
};

}  // namespace meridian::bench
