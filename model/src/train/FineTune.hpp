#pragma once
// Image-level adaptation (partial, LoRA, full fine-tuning) of a base model folder: the
// loop behind trainModel for those methods. AdamW over layer-wise-decayed parameter
// groups, cosine schedule with warm-up per optimiser step, gradient accumulation,
// class-balanced cross-entropy, augmentation by modality, bf16 autocast where the CPU has
// it, early stopping on validation AUROC (a patient-level slice of the training side), a
// NaN loss stops the run and the last good state is kept. Progress and cancel via job.

#include <string>
#include <vector>

#include "../Vit.hpp"
#include "ModelFolderClassifier.hpp"
#include "meridian/core/JobControl.hpp"
#include "meridian/model/EmbeddingCache.hpp"
#include "meridian/model/Labels.hpp"
#include "meridian/model/Trainer.hpp"
#include "meridian/model/metrics/Splits.hpp"

namespace meridian::model::train {

struct FineTuneOutcome {
  TensorMap weights;  // timm names, LoRA merged, with the new head
  VitConfig config;   // the base's, with numClasses = the label count
  PreprocessConfig preprocess;
  metrics::ScoreRows heldOutScores;  // softmax on split.test, in that order
  std::string note;
  bool diverged = false;
  bool bf16 = false;
  int epochsRun = 0;
  int bestEpoch = 0;  // 0 = the starting state
  double bestValidationAuroc = 0.0;
  std::size_t validationImages = 0;
};

/// One training micro-batch: forward (bf16 autocast when asked), class-weighted
/// cross-entropy in float32, backward of loss / accumulation. Returns the loss (NaN/inf
/// are returned, not thrown: the caller decides to stop). Shared with bench_train.
double forwardBackward(Vit& net, const at::Tensor& images, const at::Tensor& targets, const at::Tensor& classWeight,
                       int accumulation, bool bf16);

core::Result<FineTuneOutcome> fineTune(const std::filesystem::path& baseModel, const LabelSet& labels,
                                       const metrics::Split& split, const TrainOptions& options,
                                       const ImageLoader& load, const core::JobControl& job);

}  // namespace meridian::model::train
