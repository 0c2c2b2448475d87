#pragma once
// Adapting a model folder to a labelled image list, behind one torch-free call, with
// honest held-out metrics (95% bootstrap CIs) written into the new model's card.
//
//   probe      multinomial logistic regression on cached embeddings (the saved model is
//              the backbone with the fitted head: `infer` runs it like any classifier)
//   knn        cosine kNN on cached embeddings (classifier.safetensors holds the bank)
//   prototype  cosine nearest class mean (classifier.safetensors holds the prototypes)
//   partial    fine-tune the last N blocks, the final norm and a new head
//   lora       low-rank adapters on qkv/proj/fc1/fc2 plus a new head, merged when saved
//   full       fine-tune everything
//
// The held-out split is patient-level when the list has a patient column, else stratified
// per class; the saved model is the one trained on the training side, so the card's
// metrics describe exactly the weights saved. With folds > 1 the card also gets
// cross-validated metrics ("cv_*", pooled out-of-fold predictions over the whole list).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "meridian/core/JobControl.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/model/EmbeddingCache.hpp"
#include "meridian/model/Labels.hpp"
#include "meridian/model/ModelCard.hpp"
#include "meridian/model/metrics/Evaluation.hpp"

namespace meridian::model {

enum class TrainMethod { Probe, Knn, Prototype, Lora, Partial, Full };

const char* toString(TrainMethod method);
std::optional<TrainMethod> parseTrainMethod(const std::string& text);
/// Methods that train on frozen, cached embeddings (seconds) rather than on images.
bool usesEmbeddingsOnly(TrainMethod method);

/// One finished epoch, for live charts. Fine-tuning reports every epoch (the mean training
/// loss and the AUROC on its early-stopping slice of the training side); probe, kNN and
/// prototype fit once, so they report one record: the fit's loss (NaN for kNN/prototype,
/// which have none) and the held-out AUROC.
struct EpochRecord {
  int epoch = 0;
  int epochs = 0;  // planned
  double trainingLoss = 0.0;
  double validationAuroc = 0.0;
  std::size_t validationImages = 0;
};
using EpochCallback = std::function<void(const EpochRecord&)>;

struct TrainOptions {
  TrainMethod method = TrainMethod::Probe;
  std::uint64_t seed = 0;
  double valFraction = 0.2;     // held-out share of images (whole patients when known)
  int folds = 0;                // > 1: also cross-validated metrics
  std::size_t minPerClass = 2;  // refused below this, before any work
  // probe
  double inverseRegularization = 1.0;  // scikit-learn's C
  bool balancedClassWeights = true;
  // knn / prototype
  int k = 20;
  double temperature = 0.07;
  // lora / partial / full: AdamW, cosine schedule with linear warm-up, layer-wise lr decay
  int epochs = 10;
  int batchSize = 16;
  int accumulation = 1;  // micro-batches per optimiser step
  double lr = 1e-3;      // peak learning rate (the head's; lower layers decay)
  double weightDecay = 0.05;
  double layerDecay = 0.75;
  double warmupFraction = 0.1;      // of all optimiser steps
  int patience = 3;                 // epochs without a better validation AUROC before stopping
  double earlyStopFraction = 0.15;  // share of the training side used for early stopping
  int blocks = 2;                   // partial: the last N blocks (plus final norm and head) train
  int rank = 8;                     // lora
  double alpha = 16.0;              // lora: the update is scaled by alpha / rank
  bool augment = true;              // flips, crops, colour or intensity jitter by modality
  bool bf16 = true;                 // bf16 autocast where the CPU has native bf16 (Precision.hpp)
  metrics::EvaluationOptions evaluation;
  std::string modelName;  // "" = the output folder's name
  std::string createdWith = "meridian-cli train";  // the card's created_with
  EpochCallback onEpoch;  // called on the training thread; empty = none
};

struct TrainReport {
  ModelCard card;                     // as saved
  metrics::EvaluationReport heldOut;  // on the held-out side
  metrics::ScoreRows heldOutScores;   // probabilities of the held-out images, in split order
  std::vector<int> heldOutLabels;     // their class indices (for ROC and calibration curves)
  std::vector<std::size_t> heldOutRows;  // their rows in the LabelSet
  std::optional<metrics::EvaluationReport> crossValidated;
  std::size_t trainImages = 0;
  std::size_t heldOutImages = 0;
  EmbeddedImages embedding;  // cache statistics (vectors dropped)
  // Image-level methods: how training ended ("early stop at epoch 6 (best 3)", "loss
  // became NaN at step 40: the saved model is the last good checkpoint, epoch 2", ...).
  std::string trainingNote;
  bool divergedAndStopped = false;
  bool usedBf16 = false;
};

/// Trains `options.method` from the model folder `baseModel` on `labels` and writes the
/// result to `outDir` (VitModel::save plus, for knn/prototype, classifier.safetensors).
/// Bad input (too few labels per class, one class, no possible split) is refused before
/// any image is read.
core::Result<TrainReport> trainModel(const std::filesystem::path& baseModel, const LabelSet& labels,
                                     const std::filesystem::path& outDir, const TrainOptions& options,
                                     const ImageLoader& load, const EmbeddingCache* cache,
                                     const core::JobControl& job = {});

/// Scores `labels` with a model folder that classifies (a head with one task's labels, or a
/// classifier.safetensors bank) and evaluates against the labels.
core::Result<metrics::EvaluationReport> evaluateModel(const std::filesystem::path& modelDir, const LabelSet& labels,
                                                      const metrics::EvaluationOptions& options,
                                                      const ImageLoader& load, const EmbeddingCache* cache,
                                                      const core::JobControl& job = {});

}  // namespace meridian::model
