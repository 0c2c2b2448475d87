#pragma once
// A DINO checkpoint: one safetensors file, written atomically (temporary file, fsync,
// rename: a full disk or a kill leaves the previous checkpoint). Tensors:
//   student.backbone.*, student.head.*, teacher.backbone.*, teacher.head.*
//   optimizer.<student parameter>.{exp_avg,exp_avg_sq,step}
//   dino.center, memory.entries, memory.state [filled, cursor],
//   rehearsal.images, rehearsal.colour, rehearsal.seen, schedule.step, rng.torch
// Metadata: the backbone's model.json (architecture + preprocessing), every DINO option
// ("dino.<name>") and the format tag. The augmentation, batch order and rehearsal draws
// are functions of (seed, step), so the schedule step is their whole RNG state; torch's
// global generator state is saved as well.

#include <filesystem>
#include <map>
#include <string>

#include "../TensorIo.hpp"
#include "DinoState.hpp"
#include "meridian/core/Result.hpp"

namespace meridian::model::ssl {

inline constexpr const char* kDinoCheckpointFormat = "meridian-dino-checkpoint-1";

core::Status saveDinoCheckpoint(const DinoState& state, const std::filesystem::path& path);

struct DinoCheckpoint {
  TensorMap tensors;
  VitConfig vit;
  PreprocessConfig preprocess;
  DinoOptions options;
};

/// Reads and checks a checkpoint (format tag, model description, options).
core::Result<DinoCheckpoint> readDinoCheckpoint(const std::filesystem::path& path);

/// Copies weights, heads, centre, memory bank and rehearsal buffer into `state`; with
/// `exact` also the optimiser moments and the schedule step (an exact resume).
core::Status restoreDinoState(DinoState& state, const DinoCheckpoint& checkpoint, bool exact);

/// The backbone weights stored under `prefix` ("student.backbone." or "teacher.backbone."),
/// with the prefix removed.
std::map<std::string, at::Tensor> backboneWeights(const TensorMap& tensors, const std::string& prefix);

}  // namespace meridian::model::ssl
