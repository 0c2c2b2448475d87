#include "meridian/model/Trainer.hpp"

#include <algorithm>
#include <ctime>
#include <functional>
#include <limits>
#include <memory>
#include <sstream>

#include "EmbeddingClassifiers.hpp"
#include "FineTune.hpp"
#include "LinearProbe.hpp"
#include "ModelFolderClassifier.hpp"
#include "meridian/core/FileHash.hpp"
#include "meridian/model/VitModel.hpp"
#include "meridian/model/metrics/Splits.hpp"

namespace meridian::model {

namespace fs = std::filesystem;

namespace {

struct MethodName {
  TrainMethod method;
  const char* name;
};
constexpr MethodName kMethods[] = {{TrainMethod::Probe, "probe"},         {TrainMethod::Knn, "knn"},
                                   {TrainMethod::Prototype, "prototype"}, {TrainMethod::Lora, "lora"},
                                   {TrainMethod::Partial, "partial"},     {TrainMethod::Full, "full"}};

core::Error invalid(const std::string& message) {
  return core::makeError(core::ErrorCode::InvalidArgument, message);
}

/// An embedding classifier fitted on some rows: the probe's head or a kNN/prototype bank.
struct Fitted {
  std::optional<train::LinearHead> head;
  std::optional<train::EmbeddingBank> bank;
  std::vector<double> probabilities(const std::vector<float>& e) const {
    return head ? head->probabilities(e) : bank->probabilities(e);
  }
};

core::Result<Fitted> fit(const TrainOptions& options, const std::vector<std::vector<float>>& embeddings,
                         const std::vector<int>& labels, const std::vector<std::size_t>& rows, int classes) {
  std::vector<std::vector<float>> x;
  std::vector<int> y;
  for (auto row : rows) {
    x.push_back(embeddings[row]);
    y.push_back(labels[row]);
  }
  Fitted out;
  if (options.method == TrainMethod::Probe) {
    train::LinearProbeOptions probe;
    probe.inverseRegularization = options.inverseRegularization;
    probe.balancedClassWeights = options.balancedClassWeights;
    auto head = train::fitLinearProbe(x, y, classes, probe);
    if (!head) return head.error();
    out.head = std::move(head).value();
  } else {
    auto bank = options.method == TrainMethod::Knn ? train::buildKnnBank(x, y, classes, options.k, options.temperature)
                                                   : train::buildPrototypeBank(x, y, classes, options.temperature);
    if (!bank) return bank.error();
    out.bank = std::move(bank).value();
  }
  return out;
}

metrics::ScoreRows predictRows(const Fitted& fitted, const std::vector<std::vector<float>>& embeddings,
                               const std::vector<std::size_t>& rows) {
  metrics::ScoreRows out;
  for (auto row : rows) out.push_back(fitted.probabilities(embeddings[row]));
  return out;
}

std::vector<int> pick(const std::vector<int>& values, const std::vector<std::size_t>& rows) {
  std::vector<int> out;
  for (auto row : rows) out.push_back(values[row]);
  return out;
}

std::string number(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

std::string utcNow() {
  const auto now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return text;
}

}  // namespace

const char* toString(TrainMethod method) {
  for (const auto& m : kMethods)
    if (m.method == method) return m.name;
  return "?";
}

std::optional<TrainMethod> parseTrainMethod(const std::string& text) {
  for (const auto& m : kMethods)
    if (text == m.name) return m.method;
  return std::nullopt;
}

bool usesEmbeddingsOnly(TrainMethod method) {
  return method == TrainMethod::Probe || method == TrainMethod::Knn || method == TrainMethod::Prototype;
}

core::Result<TrainReport> trainModel(const fs::path& baseModel, const LabelSet& labels, const fs::path& outDir,
                                     const TrainOptions& options, const ImageLoader& load, const EmbeddingCache* cache,
                                     const core::JobControl& job) {
  if (!usesEmbeddingsOnly(options.method) && options.folds > 1)
    return invalid("cross-validation (folds) is offered for probe, knn and prototype; fine-tuning uses one hold-out");
  // Everything that can be refused is refused before an image is read.
  const int classes = static_cast<int>(labels.classes.size());
  if (classes < 2) return invalid(labels.source.string() + ": at least two classes are needed");
  const auto counts = labels.classCounts();
  for (std::size_t c = 0; c < counts.size(); ++c)
    if (counts[c] < std::max<std::size_t>(options.minPerClass, 2))
      return invalid(labels.source.string() + ": class '" + labels.classes[c] + "' has " + std::to_string(counts[c]) +
                     " labelled image(s); at least " + std::to_string(std::max<std::size_t>(options.minPerClass, 2)) +
                     " per class are needed");
  const auto y = labels.classIndices();
  const auto patients = labels.patients();
  auto split = metrics::holdOutSplit(y, classes, patients, options.valFraction, options.seed);
  if (!split) return split.error();
  std::vector<metrics::Split> folds;
  if (options.folds > 1) {
    auto made = metrics::kFoldSplits(y, classes, patients, options.folds, options.seed);
    if (!made) return made.error();
    folds = std::move(made).value();
  }
  auto base = VitModel::load(baseModel);
  if (!base) return base.error();
  const ModelCard baseCard = base.value()->card();

  TrainReport report;
  report.trainImages = split.value().train.size();
  report.heldOutImages = split.value().test.size();
  std::vector<std::string> contentHashes;
  std::optional<train::FineTuneOutcome> tuned;
  std::optional<Fitted> fitted;
  std::vector<std::vector<float>> embeddings;
  metrics::ScoreRows heldOutScores;
  if (!usesEmbeddingsOnly(options.method)) {
    for (const auto& image : labels.images) {
      auto hash = image.contentSha256.empty() ? core::sha256OfFile(image.path) : core::Result<std::string>(image.contentSha256);
      if (!hash) return hash.error();
      contentHashes.push_back(hash.value());
    }
    auto outcome = train::fineTune(baseModel, labels, split.value(), options, load, job);
    if (!outcome) return outcome.error();
    tuned = std::move(outcome).value();
    heldOutScores = tuned->heldOutScores;
    report.trainingNote = tuned->note;
    report.divergedAndStopped = tuned->diverged;
    report.usedBf16 = tuned->bf16;
  } else {
    std::vector<fs::path> paths;
    std::vector<std::string> known;
    for (const auto& image : labels.images) {
      paths.push_back(image.path);
      known.push_back(image.contentSha256);
    }
    auto embedded = embedImages(*base.value(), baseCard.provenance.weightsSha256, paths, load, cache, job, 16, known);
    if (!embedded) return embedded.error();
    embeddings = std::move(embedded.value().embeddings);
    contentHashes = embedded.value().contentSha256;
    report.embedding = std::move(embedded).value();
    report.embedding.embeddings.clear();
    if (job.cancelled()) return core::makeError(core::ErrorCode::Cancelled, "training cancelled");
    job.report({"fitting " + std::string(toString(options.method)), 0, 1, -1, ""});
    auto fit1 = fit(options, embeddings, y, split.value().train, classes);
    if (!fit1) return fit1.error();
    fitted = std::move(fit1).value();
    heldOutScores = predictRows(*fitted, embeddings, split.value().test);
    if (options.onEpoch) {
      const auto auroc = metrics::macroAuroc(heldOutScores, pick(y, split.value().test));
      options.onEpoch({1, 1, fitted->head ? fitted->head->loss : std::numeric_limits<double>::quiet_NaN(),
                       auroc ? auroc.value() : std::numeric_limits<double>::quiet_NaN(), split.value().test.size()});
    }
  }
  auto heldOut = metrics::evaluate(heldOutScores, pick(y, split.value().test), labels.classes, options.evaluation);
  if (!heldOut) return heldOut.error();
  report.heldOut = heldOut.value();
  report.heldOutScores = heldOutScores;
  report.heldOutLabels = pick(y, split.value().test);
  report.heldOutRows = split.value().test;
  if (!folds.empty()) {
    // Pooled out-of-fold predictions: every image scored once by a model that did not see it.
    metrics::ScoreRows pooled(y.size());
    for (const auto& fold : folds) {
      auto foldFit = fit(options, embeddings, y, fold.train, classes);
      if (!foldFit) return foldFit.error();
      const auto rows = predictRows(foldFit.value(), embeddings, fold.test);
      for (std::size_t i = 0; i < fold.test.size(); ++i) pooled[fold.test[i]] = rows[i];
    }
    auto cv = metrics::evaluate(pooled, y, labels.classes, options.evaluation);
    if (!cv) return cv.error();
    report.crossValidated = cv.value();
  }

  ModelCard card;
  card.name = options.modelName.empty() ? outDir.filename().string() : options.modelName;
  card.modality = baseCard.modality;
  card.tasks = {ModelTask{"label", labels.classes}};
  auto& p = card.provenance;
  p.baseModel = baseCard.name;
  p.baseModelSha256 = baseCard.provenance.weightsSha256;
  p.method = toString(options.method);
  p.trainingDataSha256 = labelListSha256(labels, contentHashes);
  p.trainingImages = report.trainImages;
  p.split = std::string(patients.empty() ? "stratified" : "patient-level") + " hold-out " +
            number(options.valFraction * 100) + "% (seed " + std::to_string(options.seed) +
            "): " + std::to_string(report.trainImages) + " training / " + std::to_string(report.heldOutImages) +
            " held-out images of " + labels.source.filename().string() +
            (folds.empty() ? "" : "; cv_* metrics: " + std::to_string(folds.size()) + "-fold pooled out-of-fold");
  p.seed = options.seed;
  p.hyperParameters["val_fraction"] = number(options.valFraction);
  if (options.method == TrainMethod::Probe) {
    p.hyperParameters["C"] = number(options.inverseRegularization);
    p.hyperParameters["class_weight"] = options.balancedClassWeights ? "balanced" : "none";
    p.hyperParameters["solver"] = "lbfgs (float64, standardised features folded into the head)";
  } else if (tuned) {
    auto& h = p.hyperParameters;
    h["optimizer"] = "AdamW";
    h["lr"] = number(options.lr);
    h["schedule"] = "cosine, linear warm-up " + number(options.warmupFraction * 100) + "% of steps";
    h["weight_decay"] = number(options.weightDecay);
    h["layer_decay"] = number(options.layerDecay);
    h["epochs"] = std::to_string(options.epochs);
    h["epochs_run"] = std::to_string(tuned->epochsRun);
    h["best_epoch"] = std::to_string(tuned->bestEpoch);
    h["batch_size"] = std::to_string(options.batchSize);
    h["accumulation"] = std::to_string(options.accumulation);
    h["patience"] = std::to_string(options.patience);
    h["early_stop_fraction"] = number(options.earlyStopFraction);
    h["augment"] = options.augment ? "yes" : "no";
    h["precision"] = tuned->bf16 ? "bf16 autocast" : "float32";
    if (options.method == TrainMethod::Partial) h["blocks"] = std::to_string(options.blocks);
    if (options.method == TrainMethod::Lora) {
      h["rank"] = std::to_string(options.rank);
      h["alpha"] = number(options.alpha);
      h["lora_targets"] = "qkv, proj, fc1, fc2 (merged into the weights)";
    }
  } else {
    if (options.method == TrainMethod::Knn) p.hyperParameters["k"] = std::to_string(options.k);
    p.hyperParameters["temperature"] = number(options.temperature);
    p.hyperParameters["similarity"] = "cosine";
  }
  p.hyperParameters["bootstrap_resamples"] = std::to_string(options.evaluation.bootstrap.resamples);
  p.metrics = metrics::cardMetrics(report.heldOut);
  if (report.crossValidated)
    for (const auto& [name, value] : metrics::cardMetrics(*report.crossValidated)) p.metrics["cv_" + name] = value;
  p.createdWith = options.createdWith;
  p.createdAt = utcNow();
  p.notes = "Metrics are on held-out images only, with 95% stratified percentile bootstrap intervals (" +
            std::to_string(options.evaluation.bootstrap.resamples) + " resamples)." +
            (report.trainingNote.empty() ? std::string() : " Training: " + report.trainingNote + ".");

  job.report({"saving", 0, 1, -1, outDir.string()});
  auto saved = tuned ? train::saveModelFolder(tuned->weights, tuned->config, tuned->preprocess, card, outDir)
               : options.method == TrainMethod::Probe
                   ? train::saveProbeModel(baseModel, *fitted->head, card, outDir)
                   : train::saveBankModel(baseModel, *fitted->bank, labels.classes, card, outDir);
  if (!saved) return saved.error();
  auto written = VitModel::load(outDir);  // read back: the card as saved, with the weights' hash
  if (!written) return written.error();
  report.card = written.value()->card();
  report.card.tasks = card.tasks;  // bank models keep their labels beside the weights
  return report;
}

core::Result<metrics::EvaluationReport> evaluateModel(const fs::path& modelDir, const LabelSet& labels,
                                                      const metrics::EvaluationOptions& options,
                                                      const ImageLoader& load, const EmbeddingCache* cache,
                                                      const core::JobControl& job) {
  auto classifier = train::loadFolderClassifier(modelDir);
  if (!classifier) return classifier.error();
  auto y = classIndicesIn(labels, classifier.value().labels);
  if (!y) return y.error();
  auto model = VitModel::load(modelDir);
  if (!model) return model.error();
  std::vector<fs::path> paths;
  std::vector<std::string> known;
  for (const auto& image : labels.images) {
    paths.push_back(image.path);
    known.push_back(image.contentSha256);
  }
  // Probe, kNN and prototype folders carry their base model's backbone unchanged, so the
  // base's cached embeddings are theirs too (a probe is evaluated without a forward pass).
  const auto& provenance = model.value()->card().provenance;
  const auto method = parseTrainMethod(provenance.method);
  const bool sameBackbone = method && usesEmbeddingsOnly(*method) && provenance.baseModelSha256.size() == 64;
  const auto backboneHash = sameBackbone ? provenance.baseModelSha256 : provenance.weightsSha256;
  auto embedded = embedImages(*model.value(), backboneHash, paths, load, cache, job, 16, known);
  if (!embedded) return embedded.error();
  metrics::ScoreRows scores;
  for (const auto& e : embedded.value().embeddings) scores.push_back(classifier.value().probabilities(e));
  return metrics::evaluate(scores, y.value(), classifier.value().labels, options);
}

}  // namespace meridian::model
