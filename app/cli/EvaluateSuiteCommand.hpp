#pragma once
// meridian-cli evaluate-suite: the evaluation suite (model/EvaluationSuite.hpp) on a model
// folder: per task, a linear probe's AUROC and accuracy with 95% bootstrap CIs on the frozen
// features of random weights, of the model, and of the model after continued DINO on the
// task's training images. The options are registered in CommandLine.cpp (the executable);
// the command runs inside the model command library (ModelCommandLibrary.hpp).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace meridian::app {

struct EvaluateSuiteOptions {
  std::filesystem::path model, suite, cache;
  bool noCache = false;
  bool json = false;
  std::vector<std::string> tasks;      // empty = every task in suite.json
  std::vector<std::string> backbones;  // random_init, model, continued_dino (empty = all three)
  std::size_t maxTrainPerClass = 0;
  std::size_t maxTestPerClass = 0;
  std::uint64_t seed = 0;
  int bootstrap = 1000;
  double c = 1.0;
  std::int64_t dinoSteps = 20;
  int dinoBatch = 16;
  int dinoLocalCrops = 4;
  int dinoPrototypes = 1024;
  double dinoLr = 0;  // 0 = DINO's 5e-4 x batch / 256, as pretrain
};

int runEvaluateSuite(const EvaluateSuiteOptions& options);

}  // namespace meridian::app
