// Running the evaluation suite (EvaluationSuite.hpp): per task and backbone, embed the
// training and test images, fit the linear probe on the training side, score the test side.

#include "meridian/model/EvaluationSuite.hpp"

#include <chrono>
#include <algorithm>

#include "../train/LinearProbe.hpp"
#include "meridian/model/Pretrainer.hpp"
#include "meridian/model/VitModel.hpp"

namespace meridian::model {
namespace {

std::vector<std::filesystem::path> pathsOf(const LabelSet& set) {
  std::vector<std::filesystem::path> paths;
  for (const auto& image : set.images) paths.push_back(image.path);
  return paths;
}

struct Backbone {
  std::unique_ptr<VitModel> model;
  std::string sha256;  // "" = not cached
  std::int64_t dinoSteps = 0;
  double dinoLastLoss = 0;
};

core::Result<Backbone> continuedDino(const VitModel& given, const SuiteTask& task, const SuiteOptions& o,
                                     const ImageLoader& load, const core::JobControl& job) {
  std::vector<core::Image2D> images;
  for (const auto& image : task.train.images) {
    auto decoded = load(image.path);
    if (!decoded) return core::makeError(decoded.error().code, image.path.string() + ": " + decoded.error().message);
    images.push_back(std::move(decoded).value());
  }
  DinoOptions d;
  d.batchSize = std::min<int>(o.dinoBatch, static_cast<int>(images.size()));
  d.localCrops = o.dinoLocalCrops;
  d.prototypes = o.dinoPrototypes;
  d.learningRate = o.dinoLearningRate;
  d.seed = o.seed;
  const auto stepsPerEpoch = std::max<std::int64_t>(1, static_cast<std::int64_t>(images.size()) / d.batchSize);
  d.epochs = static_cast<int>((o.dinoSteps + stepsPerEpoch - 1) / stepsPerEpoch);
  d.stopAfterSteps = o.dinoSteps;
  auto trainer = DinoPretrainer::create(given, d, images);
  if (!trainer) return trainer.error();
  Backbone out;
  auto summary = trainer.value()->run(job, {}, {});
  if (!summary) return summary.error();
  if (summary.value().cancelled()) return core::makeError(core::ErrorCode::Cancelled, "evaluation suite cancelled");
  if (summary.value().diverged) return core::makeError(core::ErrorCode::Internal, summary.value().message);
  out.dinoSteps = summary.value().steps;
  out.dinoLastLoss = summary.value().lastLoss;
  auto teacher = trainer.value()->teacherBackbone();
  if (!teacher) return teacher.error();
  out.model = std::move(teacher).value();
  return out;
}

core::Result<Backbone> makeBackbone(SuiteBackbone kind, const std::filesystem::path& modelDir, const SuiteTask& task,
                                    const SuiteOptions& o, const ImageLoader& load, const core::JobControl& job) {
  auto given = VitModel::load(modelDir);
  if (!given) return given.error();
  Backbone out;
  switch (kind) {
    case SuiteBackbone::Given:
      out.sha256 = given.value()->card().provenance.weightsSha256;
      out.model = std::move(given).value();
      return out;
    case SuiteBackbone::RandomInit: {
      auto random = VitModel::create(given.value()->config(), o.seed, given.value()->preprocessConfig());
      if (!random) return random.error();
      out.model = std::move(random).value();
      return out;
    }
    case SuiteBackbone::ContinuedDino: return continuedDino(*given.value(), task, o, load, job);
  }
  return core::makeError(core::ErrorCode::Internal, "unknown backbone");
}

core::Result<SuiteResult> runRow(const std::filesystem::path& modelDir, const SuiteTask& task, SuiteBackbone kind,
                                 const SuiteOptions& o, const ImageLoader& load, const EmbeddingCache* cache,
                                 const core::JobControl& job) {
  const auto started = std::chrono::steady_clock::now();
  const auto row = task.name + " / " + toString(kind);
  core::JobProgress announce;
  announce.stage = row;
  job.report(announce);
  auto backbone = makeBackbone(kind, modelDir, task, o, load, job);
  if (!backbone) return backbone.error();
  auto& b = backbone.value();
  const EmbeddingCache* useCache = b.sha256.empty() ? nullptr : cache;
  auto train = embedImages(*b.model, b.sha256, pathsOf(task.train), load, useCache, job, o.embedBatch);
  if (!train) return train.error();
  auto test = embedImages(*b.model, b.sha256, pathsOf(task.test), load, useCache, job, o.embedBatch);
  if (!test) return test.error();
  const int classes = static_cast<int>(task.train.classes.size());
  train::LinearProbeOptions probe;
  probe.inverseRegularization = o.inverseRegularization;
  auto head = train::fitLinearProbe(train.value().embeddings, task.train.classIndices(), classes, probe);
  if (!head) return core::makeError(head.error().code, row + ": " + head.error().message);
  metrics::ScoreRows scores;
  for (const auto& e : test.value().embeddings) scores.push_back(head.value().probabilities(e));
  auto options = o.evaluation;
  options.bootstrap.seed = o.seed;
  auto report = metrics::evaluate(scores, task.test.classIndices(), task.test.classes, options);
  if (!report) return core::makeError(report.error().code, row + ": " + report.error().message);
  SuiteResult result;
  result.task = task.name;
  result.backbone = kind;
  result.trainImages = task.train.images.size();
  result.testImages = task.test.images.size();
  result.report = std::move(report).value();
  result.dinoSteps = b.dinoSteps;
  result.dinoLastLoss = b.dinoLastLoss;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace

core::Result<SuiteReport> runEvaluationSuite(const std::filesystem::path& modelDir, const std::vector<SuiteTask>& tasks,
                                             const SuiteOptions& options, const ImageLoader& load,
                                             const EmbeddingCache* cache, const core::JobControl& job) {
  auto given = VitModel::load(modelDir);
  if (!given) return given.error();
  SuiteReport report;
  report.model = modelDir.string();
  report.modelSha256 = given.value()->card().provenance.weightsSha256;
  given.value().reset();
  for (const auto& task : tasks)
    for (const auto kind : options.backbones) {
      if (job.cancelled()) return core::makeError(core::ErrorCode::Cancelled, "evaluation suite cancelled");
      auto row = runRow(modelDir, task, kind, options, load, cache, job);
      if (!row) return row.error();
      report.results.push_back(std::move(row).value());
    }
  return report;
}

}  // namespace meridian::model
