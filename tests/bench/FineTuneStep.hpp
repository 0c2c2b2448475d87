#pragma once
// One step of Meridian's own fine-tuning loop (forwardBackward + its AdamW step over the
// layer-wise parameter groups, as FineTune.cpp takes it) on fixed random inputs: what bench_train times against its eager peer,
// and bench_dino's per-FLOP yardstick. Weights are random; speed does not depend on them.

#include <torch/torch.h>

#include <chrono>

#include "Vit.hpp"
#include "train/AutocastScope.hpp"
#include "train/FineTune.hpp"
#include "train/FusedAdamW.hpp"
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
    model::train::dropGradients(*optimizer_);
    (void)model::train::forwardBackward(net_, x_, y_, weight_, 1, bf16);
    model::train::applyLearningRate(*optimizer_, groups_, 1e-4);
    model::train::adamWStep(*optimizer_);
  }

  struct Laps {
    double forwardMs = 0, backwardMs = 0, optimizerMs = 0;
  };
  /// The same step as run() with its phases timed: forwardBackward's two halves written out
  /// (the forward under autocast, the weighted cross-entropy, its backward), then AdamW.
  Laps runTimed(bool bf16) {
    using Clock = std::chrono::steady_clock;
    const auto ms = [](Clock::time_point a, Clock::time_point b) {
      return std::chrono::duration<double, std::milli>(b - a).count();
    };
    Laps laps;
    const auto t0 = Clock::now();
    model::train::dropGradients(*optimizer_);
    torch::Tensor logits;
    {
      model::train::AutocastScope autocast(bf16);
      logits = net_->forward(x_).logits;
    }
    const auto loss = torch::nn::functional::cross_entropy(
        logits.to(torch::kFloat), y_, torch::nn::functional::CrossEntropyFuncOptions().weight(weight_));
    (void)loss.item<double>();
    const auto t1 = Clock::now();
    loss.backward();
    const auto t2 = Clock::now();
    model::train::applyLearningRate(*optimizer_, groups_, 1e-4);
    model::train::adamWStep(*optimizer_);
    const auto t3 = Clock::now();
    laps.forwardMs = ms(t0, t1);
    laps.backwardMs = ms(t1, t2);
    laps.optimizerMs = ms(t2, t3);
    return laps;
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
