#pragma once
// What a model folder says about itself besides its architecture and preprocessing:
// its tasks (classification heads and their label names) and its provenance — where the
// weights came from, what data trained them, how, and how good they are. Stored in
// model.json next to weights.safetensors; torch-free so ui/ and app/ can show it.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "meridian/core/Result.hpp"

namespace meridian::model {

/// A classification head: its name ("finding", "stain") and one label per output. A model
/// with several tasks splits its head's outputs in task order (task 0 takes the first
/// labels.size() outputs, ...), and each task's probabilities are a softmax over its own.
struct ModelTask {
  std::string name;
  std::vector<std::string> labels;
};

/// A metric with its 95% confidence interval (low == high == value when none was computed).
struct MetricValue {
  double value = 0.0;
  double ciLow = 0.0;
  double ciHigh = 0.0;
};

struct ModelProvenance {
  std::string baseModel;           // name of the model this one started from ("" = from scratch)
  std::string baseModelSha256;     // SHA-256 of the base model's weights file
  std::string method;              // "import", "probe", "knn", "lora", "partial", "full", "dino", ...
  std::string trainingDataSha256;  // hash of the training list (paths, content hashes, labels)
  std::size_t trainingImages = 0;
  std::string split;               // how held-out data was chosen ("patient-level 80/20, seed 7")
  std::uint64_t seed = 0;
  std::map<std::string, std::string> hyperParameters;  // name -> value as written by the trainer
  std::map<std::string, MetricValue> metrics;          // held-out metrics ("auroc", "accuracy", ...)
  std::string weightsSha256;       // SHA-256 of weights.safetensors, filled in by save()
  std::string createdWith;         // "meridian 0.3.0"
  std::string createdAt;           // ISO 8601 UTC
  std::string notes;               // free text: licence of the source weights, caveats
};

struct ModelCard {
  std::string name;
  std::string modality;  // "CT", "CXR", "pathology", "fundus", ... ("" = any)
  std::vector<ModelTask> tasks;
  ModelProvenance provenance;
};

/// Checks that the tasks fit a head with `headClasses` outputs: their label counts add up
/// to it (no tasks at all is fine: outputs are then unnamed), names are non-empty and
/// unique. The message names the mismatch ("3 labels for a head with 4 classes").
core::Status checkTasksFitHead(const ModelCard& card, int headClasses);

}  // namespace meridian::model
