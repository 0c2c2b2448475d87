#pragma once
// The model service: every model action a person can take on a project — load a model
// folder and read its card, predict cases, explain a case — in one Qt-free place that the
// window (ui/) and meridian-cli both call. It sits above model/ and core/io + core/project
// and below ui/ (../shared/DESIGN.md, "a target of its own").
//
// Where it lives and how it is reached:
// - Sources in model/service/src, built into libmeridian_model_service.so, which links the
//   model core (LibTorch). Nobody links that library: ui/ and meridian-cli link the small
//   loader (ModelServiceLoader.hpp), which dlopens it on first use, so a window that never
//   runs a model never maps LibTorch (app.startup_libraries checks it).
// - This header, ModelServiceLibrary.hpp and the loader are torch-free and Qt-free: plain
//   structs, core::Result, core::JobControl and project::ProjectStore.
// - Not built by the model-only preset (it needs core/io and core/project).
//
// Contract:
// - One ModelService holds at most one loaded model. loadModel() replaces it only when the
//   new folder loads and verifies (weights SHA-256 equal to the card's); on failure the
//   previous model stays loaded and the error says what is wrong with the folder.
// - predict() and explain() run on the caller's thread (submit them to a core::JobRunner);
//   they poll job.cancelled() between cases / slices / patches and report progress. Their
//   writes go through the ProjectStore the caller opened (one writer per project): one model
//   run per predict() call, one prediction per case done, maps written atomically under
//   store.mapsFolder(). A cancelled run keeps what it stored and ends ErrorCode::Cancelled;
//   the run is recorded "cancelled".
// - A case the model cannot take (another modality, an unreadable file) is reported in
//   PredictReport::failed with a message a user can act on and changes nothing in the
//   project for that case; the other cases go on.
// - Thread-safety: loadModel()/setDevice() must not run while a predict()/explain() of the
//   same service runs (the window queues them as jobs on one worker); read-only calls
//   (capabilities, loadedModel) are safe at any time.
// - Messages never name CLI flags or menu entries (each front end adds its own hint).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "meridian/core/JobControl.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/core/Volume.hpp"
#include "meridian/project/ProjectRecords.hpp"

namespace meridian::project {
class ProjectStore;
}

namespace meridian::service {

// --- the machine --------------------------------------------------------------------------

/// What the embedded LibTorch offers here (preferences show only what exists).
struct RuntimeCapabilities {
  std::string torchVersion;
  bool cudaAvailable = false;
  int cudaDevices = 0;
  bool bf16Available = false;  // the CPU computes bf16 natively (AVX-512-BF16 / AMX)
  std::string bf16Reason;      // which flag enabled it, or why it is off
  int threads = 0;             // LibTorch's intra-op threads
};

/// Where and how the loaded model runs.
struct DeviceOptions {
  std::string device = "cpu";  // "cpu", "cuda", "cuda:N"
  bool bf16 = false;           // bf16 matrix products where the device has them
};

/// What is in use after loadModel()/setDevice() (the status bar shows `summary`).
struct DeviceState {
  std::string device;     // "cpu", "cuda:0"
  std::string precision;  // "fp32", "bf16"
  std::string note;       // why bf16 was not taken, when asked for and refused
  std::string summary;    // "cpu fp32", "cuda:0 bf16"
};

// --- the model card -------------------------------------------------------------------------

struct CardTask {
  std::string name;
  std::vector<std::string> labels;
};

struct CardMetric {
  std::string name;  // "test_auroc", ...
  double value = 0, ciLow = 0, ciHigh = 0;
  bool hasInterval() const { return ciLow != ciHigh; }
};

/// A model folder's card as the model panel and `project predict` show it.
struct ModelCardView {
  std::filesystem::path folder;  // absolute
  std::string name;
  std::string modality;   // card's modality ("" = any)
  std::string inputKind;  // what the preprocessing takes: "any", "ct", "grayscale", "color"
  std::vector<CardTask> tasks;  // the card's tasks, or one "classification" task class_0.. when unnamed
  std::vector<std::string> labels;  // every output's label, in head order (tasks concatenated)
  std::string architecture;         // "ViT 12 blocks, 192 dim, 3 heads, patch 16, 112 px"
  int heads = 0;                    // attention heads (the explain head selector's range)
  std::string weightsSha256;        // verified against the weights file when loaded
  bool weightsVerified = false;
  std::string trainingSummary;      // method, base model, images, split, data hash (one paragraph)
  std::vector<CardMetric> metrics;  // held-out metrics with their CIs, sorted by name
  std::string notes;
  std::string createdAt, createdWith;
  std::string useNotice = "Research use only. Not for diagnosis or treatment.";
};

// --- predictions -----------------------------------------------------------------------------

struct LabelProbability {
  std::string task;
  std::string label;
  float probability = 0;
};

/// One case's stored result (what the results table shows). Also what StoredPrediction.hpp
/// reads back from a project without the model.
struct CasePrediction {
  project::CaseId caseId = 0;
  project::PredictionId predictionId = 0;
  project::CaseKind kind = project::CaseKind::Image;
  std::string modelName;
  std::string weightsSha256;
  std::string topLabel;  // first task's most probable label
  float topProbability = 0;
  std::vector<LabelProbability> probabilities;  // every output, head order
  // CT / volumes: the study score (mean over slices of each class) is `probabilities`;
  // `sliceCurve` is the top label's probability per axial slice (k = 0, 1, ...).
  std::vector<float> sliceCurve;
  std::string scoreAggregation;  // "image", "mean over 40 slices", "mean over 312 patches"
  // Slides: the heatmap map file (relative to the project folder); CT: empty.
  std::string mapFile;
  std::string createdUtc;
};

struct CaseFailure {
  project::CaseId caseId = 0;
  std::string path;
  std::string reason;
};

struct PredictRequest {
  std::vector<project::CaseId> cases;  // empty: every case of the project
  double slideMicronsPerPixel = 0.5;   // slides: resolution the model sees
  int batchSize = 16;                  // volumes and slides
};

/// Calls made on the job's thread while predict() runs (may be empty).
struct PredictCallbacks {
  /// A case's prediction was stored.
  std::function<void(const CasePrediction&)> caseDone;
  /// A slide's heatmap file was (re)written with the patches finished so far
  /// (`absolutePath` under the maps folder); the final write follows the last patch.
  std::function<void(project::CaseId, const std::filesystem::path& absolutePath, std::size_t patchesDone,
                     std::size_t patchesTotal)>
      mapGrew;
};

struct PredictReport {
  project::ModelRunId runId = 0;
  std::vector<CasePrediction> done;
  std::vector<CaseFailure> failed;
  double seconds = 0;
};

// --- explanations -------------------------------------------------------------------------------

enum class ExplainKind { ClsAttention, Rollout, GradientAttention };
const char* toString(ExplainKind kind);                           // "cls", "rollout", "gradcam"
std::optional<ExplainKind> parseExplainKind(const std::string& text);

struct ExplainRequest {
  project::CaseId caseId = 0;
  ExplainKind method = ExplainKind::ClsAttention;
  int head = -1;          // ClsAttention: one head (-1: mean over heads)
  std::string className;  // GradientAttention: the label explained ("": the predicted one)
  double slideMicronsPerPixel = 0.5;
  int batchSize = 16;
};

struct ExplainResult {
  project::CaseId caseId = 0;
  project::PredictionId predictionId = 0;  // the record that holds the map
  std::string mapFile;                     // relative to the project folder
  std::filesystem::path mapPath;           // absolute
  std::string description;                 // "attention rollout", "CLS attention, head 1", ...
  core::Volume map;                        // the map as written (map convention), for the viewer
};

// --- the service ----------------------------------------------------------------------------------

class ModelService {
 public:
  virtual ~ModelService() = default;

  virtual RuntimeCapabilities capabilities() const = 0;

  /// Loads a model folder (model.json + weights.safetensors; the weights' SHA-256 must match
  /// the card) onto `device`. The previous model stays when this fails.
  virtual core::Result<ModelCardView> loadModel(const std::filesystem::path& folder, const DeviceOptions& device) = 0;
  /// The loaded model's card, if any.
  virtual std::optional<ModelCardView> loadedModel() const = 0;
  /// Moves the loaded model (refused, with the reason, for a device this build lacks).
  virtual core::Result<DeviceState> setDevice(const DeviceOptions& device) = 0;
  virtual DeviceState deviceState() const = 0;

  /// Predicts the cases: one model run ("inference"), one prediction per case done.
  virtual core::Result<PredictReport> predict(project::ProjectStore& store, const PredictRequest& request,
                                              const core::JobControl& job, const PredictCallbacks& callbacks = {}) = 0;

  /// Explains one case: an image's map, a CT's per-slice map volume, a slide's stitched patch
  /// maps; written under the maps folder and recorded as a prediction of its own (outputs
  /// {"explanation": ...}) beside the case's predictions.
  virtual core::Result<ExplainResult> explain(project::ProjectStore& store, const ExplainRequest& request,
                                              const core::JobControl& job) = 0;
};

}  // namespace meridian::service
