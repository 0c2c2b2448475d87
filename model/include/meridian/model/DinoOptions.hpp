#pragma once
// Hyper-parameters of DINO continued pretraining (Caron et al. 2021) with the memory
// module and rehearsal buffer for continual pretraining (in the spirit of MerMED-FM).
// Plain data, torch-free: the CLI fills it, the checkpoint records it.

#include <cstdint>
#include <map>
#include <string>

namespace meridian::model {

struct DinoOptions {
  // Multi-crop: 2 global views at globalCropSize, `localCrops` views at localCropSize.
  int localCrops = 6;
  int globalCropSize = 0;  // 0 = the backbone's image size
  int localCropSize = 0;   // 0 = 3/7 of the global size (96 for 224), rounded to the patch size
  double globalScaleMin = 0.4, globalScaleMax = 1.0;  // area fraction of the source image
  double localScaleMin = 0.05, localScaleMax = 0.4;

  // Projection head: MLP to a bottleneck, L2-normalised, weight-normalised last layer.
  int prototypes = 4096;
  int headHidden = 1024;
  int headBottleneck = 256;

  // Sharpening and centring.
  double studentTemperature = 0.1;
  // DINO's default: 0.04 throughout. Its 0.07 is for long runs; warmed up within a run of a
  // few hundred steps it flattened the targets as they formed (issue 19).
  double teacherTemperatureStart = 0.04;            // warmed up linearly ...
  double teacherTemperature = 0.04;                 // ... to this over teacherTemperatureWarmupSteps
  std::int64_t teacherTemperatureWarmupSteps = -1;  // -1 = 30% of the run
  double centerMomentum = 0.9;

  // EMA teacher: momentum follows a cosine from momentumStart to 1 over the run.
  double momentumStart = 0.996;

  // AdamW, cosine learning rate with linear warm-up. 0 = DINO's 5e-4 x batch / 256 (resolved
  // when the run is built). The former fixed 2e-4 was 6x that rule at batch 16: the student
  // moved faster than the EMA teacher could follow and collapsed onto the near-uniform early
  // targets (issue 19: loss at ln K, teacher features' spread falling every step).
  double learningRate = 0;
  double minLearningRate = 1e-6;
  std::int64_t warmupSteps = -1;                         // -1 = 10% of the run
  double weightDecayStart = 0.04, weightDecayEnd = 0.4;  // cosine, as DINO
  double clipGradient = 3.0;                             // global gradient norm; 0 = off
  // The head's prototypes stay fixed for the first steps (DINO's freeze_last_layer, one epoch):
  // while the rest of the network is still random, a moving last layer can arrange the
  // prototypes so one constant output matches the near-uniform early targets.
  std::int64_t freezeLastLayerSteps = -1;  // -1 = the first epoch

  // Memory module: a FIFO bank of past teacher embeddings; the student's similarity
  // distribution over the bank must match the teacher's (KL), which anchors the
  // representation to what it was when pretraining moves on to a new modality.
  int memorySize = 0;  // 0 = off
  double memoryWeight = 1.0;
  double memoryStudentTemperature = 0.1;
  double memoryTeacherTemperature = 0.05;

  // Rehearsal: a reservoir of past images, mixed into every batch once it holds any.
  int rehearsalSize = 0;  // 0 = off
  double rehearsalFraction = 0.25;
  int rehearsalImageSize = 0;  // side the reservoir stores images at; 0 = the working size

  // Precision: 1 = the forward passes (student and teacher) under bf16 autocast where the CPU
  // computes bf16 natively (Precision.hpp), as fine-tuning does; 0 = fp32 everywhere.
  int bf16 = 1;

  // Run length and bookkeeping.
  int batchSize = 16;  // global batch (split across ranks when distributed)
  int epochs = 10;
  std::int64_t stopAfterSteps = 0;   // > 0: stop (with a checkpoint) after this step count
  std::int64_t checkpointEvery = 0;  // steps; 0 = at each epoch end and at the end
  std::uint64_t seed = 0;
  std::string dataSha256;  // the training list's hash, recorded in checkpoint and card

  /// Name -> value as recorded in the model card and the checkpoint.
  std::map<std::string, std::string> toMap() const;
  /// The inverse of toMap (unknown names are ignored, missing ones keep their defaults);
  /// false when a value does not parse.
  bool fromMap(const std::map<std::string, std::string>& values);
};

}  // namespace meridian::model
