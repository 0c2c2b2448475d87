// meridian-cli embed / train / evaluate (see TrainCommands.hpp).

#include "TrainCommands.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "ExitCodes.hpp"
#include "OutputFiles.hpp"
#include "meridian/io/ImageSummary.hpp"
#include "meridian/io/ReaderRegistry.hpp"
#include "meridian/model/EmbeddingCache.hpp"
#include "meridian/model/Labels.hpp"
#include "meridian/model/Trainer.hpp"
#include "meridian/model/VitModel.hpp"

namespace meridian::app {
namespace fs = std::filesystem;
namespace {

int fail(const core::Error& error) {
  std::fprintf(stderr, "meridian-cli: %s\n", error.message.c_str());
  switch (error.code) {
    case core::ErrorCode::InvalidArgument:
    case core::ErrorCode::NotFound:
    case core::ErrorCode::Unsupported:
    case core::ErrorCode::Corrupt:
      return kExitBadInput;
    default:
      return kExitFailure;
  }
}

core::Result<core::Image2D> loadImage(const fs::path& path) {
  auto opened = io::ReaderRegistry::builtin().open(path);
  if (!opened) return opened.error();
  return io::representativeImage(opened.value());
}

/// A progress line on stderr (stdout stays clean for --json).
core::JobControl progressJob() {
  if (!isatty(fileno(stderr))) return core::JobControl();  // no \r-animated lines in logs
  return core::JobControl([](const core::JobProgress& p) {
    if (p.total > 0) std::fprintf(stderr, "\r%s %zu/%zu %s   ", p.stage.c_str(), p.done, p.total, p.detail.c_str());
    if (p.total > 0 && p.done == p.total) std::fprintf(stderr, "\n");
  });
}

nlohmann::json interval(const model::MetricValue& m) {
  return nlohmann::json::array({m.ciLow, m.ciHigh});
}

nlohmann::json reportJson(const model::metrics::EvaluationReport& r) {
  nlohmann::json out{
      {"n", r.n},
      {"labels", r.labels},
      {"auroc", r.auroc.value},
      {"auroc_ci", interval(r.auroc)},
      {"auprc", r.auprc.value},
      {"auprc_ci", interval(r.auprc)},
      {"accuracy", r.accuracy.value},
      {"accuracy_ci", interval(r.accuracy)},
      {"calibration_error", r.calibrationError.value},
      {"calibration_error_ci", interval(r.calibrationError)},
      {"confusion", r.confusion},
      {"bootstrap",
       {{"resamples", r.bootstrap.resamples}, {"seed", r.bootstrap.seed}, {"method", "stratified percentile, 95%"}}}};
  if (r.hasOperatingPoint)
    out["operating_point"] = {{"threshold", r.threshold},           {"positive", r.labels.at(1)},
                              {"sensitivity", r.sensitivity.value}, {"sensitivity_ci", interval(r.sensitivity)},
                              {"specificity", r.specificity.value}, {"specificity_ci", interval(r.specificity)}};
  auto& classes = out["classes"] = nlohmann::json::array();
  for (const auto& c : r.perClass)
    classes.push_back({{"label", c.label},
                       {"n", c.count},
                       {"auroc", c.auroc.value},
                       {"auroc_ci", interval(c.auroc)},
                       {"auprc", c.auprc.value},
                       {"auprc_ci", interval(c.auprc)},
                       {"sensitivity", c.sensitivity.value},
                       {"sensitivity_ci", interval(c.sensitivity)},
                       {"specificity", c.specificity.value},
                       {"specificity_ci", interval(c.specificity)}});
  return out;
}

void printReport(const char* title, const model::metrics::EvaluationReport& r) {
  std::printf("%s (n=%zu): AUROC %.4f [%.4f, %.4f]  AUPRC %.4f [%.4f, %.4f]  accuracy %.4f [%.4f, %.4f]\n", title, r.n,
              r.auroc.value, r.auroc.ciLow, r.auroc.ciHigh, r.auprc.value, r.auprc.ciLow, r.auprc.ciHigh,
              r.accuracy.value, r.accuracy.ciLow, r.accuracy.ciHigh);
}

}  // namespace

TrainCommandSet::TrainCommandSet(CLI::App& cli) {
  embed_ = cli.add_subcommand("embed", "Compute and cache backbone embeddings for a labels CSV (path,label[,patient])");
  embed_->add_option("--model", model_, "Model folder")->required();
  embed_->add_option("--labels", labels_, "Labels CSV; paths relative to it")->required();
  embed_->add_option("--cache", cache_, "Embedding cache folder (default: the user's cache folder)");
  embed_->add_flag("--json", json_, "Machine-readable output");

  train_ =
      cli.add_subcommand("train", "Adapt a model to a labels CSV; held-out metrics with 95% CIs go into model.json");
  train_->add_option("--method", method_,
                     "probe | knn | prototype (frozen embeddings) | lora | partial | full (fine-tuning)");
  train_->add_option("--model", model_, "Base model folder")->required();
  train_->add_option("--labels", labels_, "Labels CSV (path,label[,patient])")->required();
  train_->add_option("--out", out_, "Model folder to write")->required();
  train_->add_option("--cache", cache_, "Embedding cache folder (default: the user's cache folder)");
  train_->add_flag("--no-cache", noCache_, "Do not read or write the embedding cache");
  train_->add_option("--seed", seed_, "Seed of the split and the bootstrap");
  train_->add_option("--val-fraction", valFraction_, "Held-out share (whole patients when the CSV has them)")
      ->check(CLI::Range(0.05, 0.95));
  train_->add_option("--folds", folds_, "Also report k-fold cross-validated metrics (cv_*)")->check(CLI::Range(0, 20));
  train_->add_option("--C", c_, "probe: inverse L2 strength (scikit-learn's C)")->check(CLI::PositiveNumber);
  train_->add_option("--k", k_, "knn: neighbours")->check(CLI::Range(1, 1000));
  train_->add_option("--min-per-class", minPerClass_, "Refuse classes with fewer labelled images")
      ->check(CLI::Range(2, 100000));
  train_->add_option("--bootstrap", bootstrap_, "Bootstrap resamples for the CIs")->check(CLI::Range(10, 100000));
  train_->add_option("--epochs", epochs_, "fine-tuning: epochs (early stopping may end sooner)")
      ->check(CLI::Range(1, 10000));
  train_->add_option("--lr", lr_, "fine-tuning: peak learning rate (AdamW, cosine with warm-up)")
      ->check(CLI::PositiveNumber);
  train_->add_option("--batch-size", batchSize_, "fine-tuning: images per micro-batch")->check(CLI::Range(1, 4096));
  train_->add_option("--accumulation", accumulation_, "fine-tuning: micro-batches per optimiser step")
      ->check(CLI::Range(1, 1024));
  train_->add_option("--rank", rank_, "lora: rank")->check(CLI::Range(1, 1024));
  train_->add_option("--blocks", blocks_, "partial: last N blocks to train")->check(CLI::Range(1, 1024));
  train_->add_flag("--no-augment", noAugment_, "fine-tuning: no flips, crops or jitter");
  train_->add_flag("--fp32", fp32_, "fine-tuning: no bf16 autocast even where the CPU has bf16");
  train_->add_flag("--json", json_, "Machine-readable output");
  train_->add_flag("--force", force_, "Write into an existing, non-empty --out folder (never the base model's)");

  evaluate_ =
      cli.add_subcommand("evaluate", "Score a labels CSV with a trained model: AUROC, AUPRC, accuracy... with 95% CIs");
  evaluate_->add_option("--model", model_, "Trained model folder")->required();
  evaluate_->add_option("--labels", labels_, "Labels CSV (path,label[,patient])")->required();
  evaluate_->add_option("--cache", cache_, "Embedding cache folder (default: the user's cache folder)");
  evaluate_->add_flag("--no-cache", noCache_, "Do not read or write the embedding cache");
  evaluate_->add_option("--seed", seed_, "Bootstrap seed");
  evaluate_->add_option("--bootstrap", bootstrap_, "Bootstrap resamples for the CIs")->check(CLI::Range(10, 100000));
  evaluate_->add_option("--threshold", threshold_, "Binary operating point on the second class's probability")
      ->check(CLI::Range(0.0, 1.0));
  evaluate_->add_flag("--json", json_, "Machine-readable output");
}

int TrainCommandSet::run() const {
  if (*embed_) return runEmbed();
  if (*train_) return runTrain();
  if (*evaluate_) return runEvaluate();
  return -1;
}

int TrainCommandSet::runEmbed() const {
  model::LabelCsvOptions csvOptions;
  csvOptions.requireTwoClasses = false;
  auto labels = model::readLabelsCsv(labels_, csvOptions);
  if (!labels) return fail(labels.error());
  auto vit = model::VitModel::load(model_);
  if (!vit) return fail(vit.error());
  const model::EmbeddingCache cache(cache_.empty() ? model::EmbeddingCache::defaultDirectory() : cache_);
  std::vector<fs::path> paths;
  for (const auto& image : labels.value().images) paths.push_back(image.path);
  auto embedded = model::embedImages(*vit.value(), vit.value()->card().provenance.weightsSha256, paths, loadImage,
                                     &cache, progressJob());
  if (!embedded) return fail(embedded.error());
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
  if (!labels) return fail(labels.error());
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
  auto report =
      model::trainModel(model_, labels.value(), out_, options, loadImage, noCache_ ? nullptr : &cache, progressJob());
  if (!report) return fail(report.error());
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
  if (!labels) return fail(labels.error());
  model::metrics::EvaluationOptions options;
  options.bootstrap.resamples = bootstrap_;
  options.bootstrap.seed = seed_;
  options.threshold = threshold_;
  const model::EmbeddingCache cache(cache_.empty() ? model::EmbeddingCache::defaultDirectory() : cache_);
  auto report =
      model::evaluateModel(model_, labels.value(), options, loadImage, noCache_ ? nullptr : &cache, progressJob());
  if (!report) return fail(report.error());
  if (json_)
    std::cout << reportJson(report.value()).dump(2) << "\n";
  else
    printReport("evaluation", report.value());
  return kExitOk;
}

}  // namespace meridian::app
