#pragma once
// Training from a project (issue 11 item 4), Qt-free, for the window's training panel and
// `meridian-cli project train` alike: the project's image-level labels are the task, the
// split is the model's patient-level hold-out, the methods are the model's (probe, kNN,
// prototype, LoRA, partial, full; continued DINO pretraining on the unlabelled cases), and
// the result is a new model folder in the project's models folder with its card,
// provenance and a training.json holding the curves the panel draws (per-epoch loss and
// validation AUROC, ROC with its bootstrap band, confusion matrix, calibration bins).
//
// Nothing is changed by a refused or cancelled run: the folder is built under
// models/.incomplete-NAME and renamed into place only when everything is written; the
// project records the attempt as a model run ("training", with its status) and nothing
// else. Accepting the new model is a separate, logged step (acceptModel).
//
// Headers are torch-free (plain structs of model/), so ui/ includes them. The functions run
// inside the model service library: front ends call them through TrainingService
// (TrainingService.hpp, createTrainingService()); readTrainingResult alone is in the loader.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "meridian/core/JobControl.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/model/DinoOptions.hpp"
#include "meridian/model/Labels.hpp"
#include "meridian/model/ModelCard.hpp"
#include "meridian/model/Trainer.hpp"
#include "meridian/model/metrics/ClassificationMetrics.hpp"
#include "meridian/model/metrics/Curves.hpp"
#include "meridian/model/metrics/Evaluation.hpp"
#include "meridian/project/ProjectStore.hpp"

namespace meridian::service {

/// The project's labelled cases as a training list (one row per case with exactly one
/// image-level label), and what was left out and why. Every kind of case is a row: a 2D
/// image as it is, a volume (a file or a DICOM series folder) by its middle axial slice, a
/// slide by its overview (io::representativeImage: what the viewer shows first).
struct TrainingTask {
  model::LabelSet labels;                      // classes sorted by name; patient = the case's patient id, or "case-ID"
  std::vector<project::CaseId> caseIds;        // one per labels.images row
  std::map<std::string, std::string> seriesOf;  // case path -> series UID, for series cases
  std::vector<project::CaseId> unlabelled;     // cases without a label (DINO's images)
  std::size_t multiLabelled = 0;               // left out: more than one label
  std::size_t seriesFolders = 0;               // rows that are DICOM series folders (keyed by their files' digest)
};
core::Result<TrainingTask> trainingTask(const project::ProjectStore& store);

/// Counts per class on each side of the split trainModel will make (same function, same
/// inputs, same seed: the preview is the split).
struct SplitPart {
  std::vector<std::size_t> perClass;  // in TrainingTask::labels.classes order
  std::size_t cases = 0;
  std::size_t patients = 0;
};
struct SplitPreview {
  std::vector<std::string> classes;
  SplitPart train, heldOut;
};
/// Refuses (InvalidArgument, saying what to label) a task with fewer than two classes, or
/// a held-out part with fewer than two cases of some class.
core::Result<SplitPreview> previewSplit(const TrainingTask& task, double heldOutFraction, std::uint64_t seed);

struct TrainingRequest {
  std::filesystem::path baseModel;  // a model folder (the bundled or the active model)
  model::TrainOptions options;      // method, seed, valFraction (the held-out share), advanced options
  bool pretrain = false;            // continued DINO pretraining on the unlabelled cases instead
  model::DinoOptions dino;          // used when pretrain
  std::string name;                 // folder name under models/; "" = METHOD-YYYYMMDD-HHMMSS
};

/// The methods a front end offers, by name ("dino" sets TrainingRequest::pretrain).
inline constexpr const char* kTrainingMethods[] = {"probe", "knn", "prototype", "lora", "partial", "full", "dino"};

/// Sets `request`'s method from its name; false for an unknown name. Inline and link-free:
/// the front ends do not link the model (model::parseTrainMethod lives there).
inline bool setTrainingMethod(TrainingRequest& request, const std::string& name) {
  using M = model::TrainMethod;
  static constexpr M kMethods[] = {M::Probe, M::Knn, M::Prototype, M::Lora, M::Partial, M::Full};
  for (std::size_t i = 0; i < 6; ++i)
    if (name == kTrainingMethods[i]) {
      request.pretrain = false;
      request.options.method = kMethods[i];
      return true;
    }
  request.pretrain = name == "dino";
  return request.pretrain;
}

/// One class's ROC curve on the held-out part (one-vs-rest) with its 95% bootstrap band.
struct ClassRoc {
  std::string label;
  double auroc = 0.0;
  std::vector<model::metrics::RocPoint> curve;
  model::metrics::RocBand band;
};

struct TrainingResult {
  std::filesystem::path modelFolder;  // absolute, under the project's models folder
  std::string relativeFolder;         // "models/NAME"
  model::ModelCard card;
  std::string method;                 // "probe", ..., "dino"
  SplitPreview split;                 // empty for DINO (no labels)
  std::vector<model::EpochRecord> epochs;
  // Supervised methods only (DINO has no held-out labels):
  std::optional<model::metrics::EvaluationReport> heldOut;
  std::vector<ClassRoc> roc;  // two classes: the second class (the positive one); more: one per class
  std::vector<model::metrics::CalibrationBin> calibration;
  std::string note;  // how training ended
};

/// Runs the request as one job (progress, cancel). `onEpoch` is called on the job's thread
/// after each epoch (may be empty). DINO resumes: a cancelled pretraining run keeps its
/// checkpoint in models/.incomplete-NAME, and the same request (same name) continues it.
core::Result<TrainingResult> trainFromProject(project::ProjectStore& store, const TrainingRequest& request,
                                              const model::EpochCallback& onEpoch, const core::JobControl& job);

/// The result as written to MODEL_FOLDER/training.json (for a panel reopening a project).
core::Result<TrainingResult> readTrainingResult(const std::filesystem::path& modelFolder);

/// "Accept model": checks that `modelFolder` loads (weights match their SHA-256), then makes
/// it the project's active model (ProjectStore::acceptModel logs it, keeping the previous).
core::Result<project::AcceptedModel> acceptModel(project::ProjectStore& store, const std::filesystem::path& modelFolder);

}  // namespace meridian::service
