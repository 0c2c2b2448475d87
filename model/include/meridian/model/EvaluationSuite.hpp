#pragma once
// The evaluation suite: fixed labelled tasks with fixed train/test splits (made by
// packaging/make-eval-data.sh, listed in suite.json), each scored by a linear probe on frozen
// embeddings of three backbones — the same architecture with random weights, the given model
// folder's backbone, and that backbone after continued DINO on the task's training images
// (labels unused) — so one table says what pretraining buys on each task.
//
// Nothing here is a second metric: embeddings come from embedImages, the probe is the
// trainer's fitLinearProbe, AUROC/accuracy with their 95% bootstrap CIs from
// metrics::evaluate. Torch-free (the caller supplies the image reader).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "meridian/core/JobControl.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/model/EmbeddingCache.hpp"
#include "meridian/model/Labels.hpp"
#include "meridian/model/metrics/Evaluation.hpp"

namespace meridian::model {

struct SuiteTask {
  std::string name;
  std::string description;
  LabelSet train;
  LabelSet test;
};

struct SuiteReadOptions {
  std::vector<std::string> only;  // task names to keep (empty = all); an unknown name is refused
  std::size_t maxTrainPerClass = 0;  // > 0: the first N training images of each class (a fast subset)
  std::size_t maxTestPerClass = 0;   // > 0: the first N test images of each class
};

/// Reads suite.json ({"tasks": [{"name", "description", "train", "test"}, ...]}, CSV paths
/// relative to it) and each task's CSVs. Refuses, naming the task and the class, a task whose
/// test side lacks a class its training side has (its AUROC would be undefined), and a test
/// image that also appears on the training side.
core::Result<std::vector<SuiteTask>> readEvaluationSuite(const std::filesystem::path& suiteJson,
                                                         const SuiteReadOptions& options = {});

enum class SuiteBackbone { RandomInit, Given, ContinuedDino };
const char* toString(SuiteBackbone backbone);

struct SuiteOptions {
  std::vector<SuiteBackbone> backbones{SuiteBackbone::RandomInit, SuiteBackbone::Given, SuiteBackbone::ContinuedDino};
  std::uint64_t seed = 0;           // random init, DINO and the bootstrap
  double inverseRegularization = 1.0;  // the probe's C (scikit-learn's meaning)
  // Continued DINO on the task's training images (from the given backbone's weights).
  std::int64_t dinoSteps = 20;
  int dinoBatch = 16;
  int dinoLocalCrops = 4;
  int dinoPrototypes = 1024;
  double dinoLearningRate = 0;  // 0 = the pretrainer's rule, 5e-4 x batch / 256 (DinoOptions)
  int embedBatch = 32;
  metrics::EvaluationOptions evaluation;
};

struct SuiteResult {
  std::string task;
  SuiteBackbone backbone = SuiteBackbone::Given;
  std::size_t trainImages = 0;
  std::size_t testImages = 0;
  metrics::EvaluationReport report;  // the probe's scores on the test side
  std::int64_t dinoSteps = 0;        // ContinuedDino: steps run
  double dinoLastLoss = 0;  // ContinuedDino: the loss of its last step
  double seconds = 0;  // wall time of this row (embedding, DINO, probe)
};

struct SuiteReport {
  std::string model;         // the given model folder
  std::string modelSha256;   // its weights
  std::vector<SuiteResult> results;  // task-major, backbones in options order
};

/// Runs every task with every backbone. `cache` (may be null) holds the given backbone's
/// embeddings only (the other two are never the same weights twice). Progress and cancel
/// through `job`; a cancel returns ErrorCode::Cancelled.
core::Result<SuiteReport> runEvaluationSuite(const std::filesystem::path& modelDir, const std::vector<SuiteTask>& tasks,
                                             const SuiteOptions& options, const ImageLoader& load,
                                             const EmbeddingCache* cache, const core::JobControl& job = {});

}  // namespace meridian::model
