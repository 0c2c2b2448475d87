// meridian-cli embed / train / evaluate (see TrainCommands.hpp).

#include "TrainCommands.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

#include "ExitCodes.hpp"
#include "OutputFiles.hpp"
#include "JobProgressLine.hpp"
#include "MetricText.hpp"
#include "meridian/io/ReadImage2D.hpp"
#include "meridian/model/EmbeddingCache.hpp"
#include "meridian/model/Labels.hpp"
#include "meridian/model/Trainer.hpp"
#include "meridian/model/VitModel.hpp"

namespace meridian::app {
namespace fs = std::filesystem;
namespace {

// Exit codes come from ExitCodes.hpp's one map. What the model layer refuses here is the
// labels CSV or the model folder the user named (one class, too few per class, no
// patient-level split), so its InvalidArgument is judged on an input file: exit 3.

nlohmann::json reportJson(const model::metrics::EvaluationReport& r) {
  nlohmann::json out{
      {"n", r.n},
      {"labels", r.labels},
      {"auroc", r.auroc.value},
      {"auroc_ci", intervalJson(r.auroc)},
      {"auprc", r.auprc.value},
      {"auprc_ci", intervalJson(r.auprc)},
      {"accuracy", r.accuracy.value},
      {"accuracy_ci", intervalJson(r.accuracy)},
      {"calibration_error", r.calibrationError.value},
      {"calibration_error_ci", intervalJson(r.calibrationError)},
      {"confusion", r.confusion},
      {"bootstrap",
       {{"resamples", r.bootstrap.resamples}, {"seed", r.bootstrap.seed}, {"method", "stratified percentile, 95%"}}}};
  if (r.hasOperatingPoint)
    out["operating_point"] = {{"threshold", r.threshold},           {"positive", r.labels.at(1)},
                              {"sensitivity", r.sensitivity.value}, {"sensitivity_ci", intervalJson(r.sensitivity)},
                              {"specificity", r.specificity.value}, {"specificity_ci", intervalJson(r.specificity)}};
  auto& classes = out["classes"] = nlohmann::json::array();
  for (const auto& c : r.perClass)
    classes.push_back({{"label", c.label},
                       {"n", c.count},
                       {"auroc", c.auroc.value},
                       {"auroc_ci", intervalJson(c.auroc)},
                       {"auprc", c.auprc.value},
                       {"auprc_ci", intervalJson(c.auprc)},
                       {"sensitivity", c.sensitivity.value},
                       {"sensitivity_ci", intervalJson(c.sensitivity)},
                       {"specificity", c.specificity.value},
                       {"specificity_ci", intervalJson(c.specificity)}});
  return out;
}

void printReport(const char* title, const model::metrics::EvaluationReport& r) {
  std::printf("%s (n=%zu): AUROC %s  AUPRC %s  accuracy %s\n", title, r.n, withInterval(r.auroc, 4).c_str(),
              withInterval(r.auprc, 4).c_str(), withInterval(r.accuracy, 4).c_str());
}

}  // namespace

int TrainCommandSet::runEmbed() const {
  model::LabelCsvOptions csvOptions;
  csvOptions.requireTwoClasses = false;
  auto labels = model::readLabelsCsv(labels_, csvOptions);
  if (!labels) return fail(labels.error(), Judged::InputFile);
  auto vit = model::VitModel::load(model_);
  if (!vit) return fail(vit.error(), Judged::InputFile);
  const model::EmbeddingCache cache(cache_.empty() ? model::EmbeddingCache::defaultDirectory() : cache_);
  std::vector<fs::path> paths;
  for (const auto& image : labels.value().images) paths.push_back(image.path);
  JobProgressLine line("embed");  // progress on stderr (stdout stays clean for --json), Ctrl-C cancels
  auto embedded = model::embedImages(*vit.value(), vit.value()->card().provenance.weightsSha256, paths, io::readImage2D,
                                     &cache, line.job());
  line.finish();
  if (!embedded) return fail(embedded.error(), Judged::InputFile);
  const auto& e = embedded.value();
  if (json_) {
    std::cout << nlohmann::json{{"images", paths.size()},
                                {"from_cache", e.fromCache},
                                {"computed", e.computed},
                                {"corrupt_replaced", e.corruptReplaced},
                                {"dimension", e.embeddings.empty() ? 0 : e.embeddings.front().size()},
                                {"cache", cache.directory().string()}}
                     .dump(2)
              << "\n";
  } else {
    std::printf("embedded %zu images: %zu from the cache, %zu computed, %zu corrupt entries replaced\ncache: %s\n",
                paths.size(), e.fromCache, e.computed, e.corruptReplaced, cache.directory().string().c_str());
  }
  return kExitOk;
}

int TrainCommandSet::runTrain() const {
  const auto method = model::parseTrainMethod(method_);
  if (!method) {
    std::fprintf(stderr, "meridian-cli: unknown --method '%s' (probe, knn, prototype, lora, partial, full)\n",
                 method_.c_str());
    return kExitUsage;
  }
  // Before any training: --out may not be (or hold) the base model or the labels, and an
  // existing model folder is kept unless --force.
  if (auto allowed = core::checkOutputFolder(out_, outputPolicy(force_, {model_, labels_})); !allowed)
    return failOutput(allowed.error());
  model::LabelCsvOptions csvOptions;
  csvOptions.minPerClass = static_cast<std::size_t>(minPerClass_);
  auto labels = model::readLabelsCsv(labels_, csvOptions);
  if (!labels) return fail(labels.error(), Judged::InputFile);
  model::TrainOptions options;
  options.method = *method;
  options.seed = seed_;
  options.valFraction = valFraction_;
  options.folds = folds_;
  options.minPerClass = static_cast<std::size_t>(minPerClass_);
  options.inverseRegularization = c_;
  options.k = k_;
  options.epochs = epochs_;
  options.lr = lr_;
  options.batchSize = batchSize_;
  options.accumulation = accumulation_;
  options.rank = rank_;
  options.blocks = blocks_;
  options.augment = !noAugment_;
  options.bf16 = !fp32_;
  options.evaluation.bootstrap.resamples = bootstrap_;
  options.evaluation.bootstrap.seed = seed_;
  const model::EmbeddingCache cache(cache_.empty() ? model::EmbeddingCache::defaultDirectory() : cache_);
  JobProgressLine line("train");
  auto report =
      model::trainModel(model_, labels.value(), out_, options, io::readImage2D, noCache_ ? nullptr : &cache, line.job());
  line.finish();
  if (!report) return fail(report.error(), Judged::InputFile);
  const auto& r = report.value();
  if (json_) {
    nlohmann::json out{{"model", out_.string()},
                       {"method", r.card.provenance.method},
                       {"split", r.card.provenance.split},
                       {"train_images", r.trainImages},
                       {"held_out", reportJson(r.heldOut)},
                       {"embeddings_from_cache", r.embedding.fromCache},
                       {"training_note", r.trainingNote},
                       {"diverged", r.divergedAndStopped}};
    if (r.crossValidated) out["cross_validated"] = reportJson(*r.crossValidated);
    std::cout << out.dump(2) << "\n";
  } else {
    std::printf("trained %s on %zu images (%zu embeddings from the cache)\nsplit: %s\n",
                r.card.provenance.method.c_str(), r.trainImages, r.embedding.fromCache,
                r.card.provenance.split.c_str());
    if (!r.trainingNote.empty()) std::printf("training: %s\n", r.trainingNote.c_str());
    if (r.divergedAndStopped) std::fprintf(stderr, "meridian-cli: warning: %s\n", r.trainingNote.c_str());
    printReport("held-out", r.heldOut);
    if (r.crossValidated) printReport("cross-validated", *r.crossValidated);
    std::printf("model: %s\n", out_.string().c_str());
  }
  return kExitOk;
}

int TrainCommandSet::runEvaluate() const {
  auto labels = model::readLabelsCsv(labels_);
  if (!labels) return fail(labels.error(), Judged::InputFile);
  model::metrics::EvaluationOptions options;
  options.bootstrap.resamples = bootstrap_;
  options.bootstrap.seed = seed_;
  options.threshold = threshold_;
  const model::EmbeddingCache cache(cache_.empty() ? model::EmbeddingCache::defaultDirectory() : cache_);
  JobProgressLine line("evaluate");
  auto report =
      model::evaluateModel(model_, labels.value(), options, io::readImage2D, noCache_ ? nullptr : &cache, line.job());
  line.finish();
  if (!report) return fail(report.error(), Judged::InputFile);
  if (json_)
    std::cout << reportJson(report.value()).dump(2) << "\n";
  else
    printReport("evaluation", report.value());
  return kExitOk;
}

}  // namespace meridian::app
