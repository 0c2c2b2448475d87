#pragma once
// meridian-cli embed / train / evaluate: adapting a model to a labelled image list and
// measuring it (model/Trainer.hpp does the work; this file is the command line).
// The options are registered in CommandLine.cpp (the executable); the commands run inside the
// model command library (ModelCommandLibrary.hpp).

#include <cstdint>
#include <filesystem>
#include <string>

namespace meridian::app {

/// The options of embed, train and evaluate (one struct: only one of them runs). The names
/// keep the trailing underscore they had as members of TrainCommandSet, whose command bodies
/// read them unchanged.
struct TrainCommandOptions {
  std::filesystem::path model_, labels_, out_, cache_;
  bool noCache_ = false;
  bool json_ = false;
  std::string method_ = "probe";
  std::uint64_t seed_ = 0;
  double valFraction_ = 0.2;
  int folds_ = 0;
  double c_ = 1.0;
  int k_ = 20;
  int minPerClass_ = 5;
  int bootstrap_ = 1000;
  double threshold_ = 0.5;
  // fine-tuning
  int epochs_ = 10;
  double lr_ = 1e-3;
  int batchSize_ = 16;
  int accumulation_ = 1;
  int rank_ = 8;
  int blocks_ = 2;
  bool noAugment_ = false;
  bool fp32_ = false;
};

class TrainCommandSet : private TrainCommandOptions {
 public:
  explicit TrainCommandSet(const TrainCommandOptions& options) : TrainCommandOptions(options) {}

  int runEmbed() const;
  int runTrain() const;
  int runEvaluate() const;
};

}  // namespace meridian::app
