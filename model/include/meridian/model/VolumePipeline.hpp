#pragma once
// A CT (or MR) volume through the ViT slice by slice: the axial slices (the volume's k
// axis) go through the model in batches with their stored values kept (HU for CT, so the
// model's CT windows apply), giving per-slice class probabilities and embeddings, the
// slice-score curve, and study-level scores: mean, max, top-k mean and, when the model
// carries an aggregator, gated-attention MIL pooling. Optionally an explanation map of
// every slice (CLS attention, rollout or gradient-weighted attention), assembled into a map volume in the volume's own
// physical (LPS) geometry. Progress per batch and cancel through core::JobControl. Torch-free.

#include <optional>
#include <string>
#include <vector>

#include "meridian/core/JobControl.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/core/Volume.hpp"
#include "meridian/model/Aggregation.hpp"
#include "meridian/model/AggregationAttentionPool.hpp"
#include "meridian/model/ExplainMethod.hpp"
#include "meridian/model/VitModel.hpp"

namespace meridian::model {

struct VolumePipelineOptions {
  int batchSize = 16;
  int topK = 5;                               // slices averaged by the top-k score
  bool attentionMaps = false;                 // also explain every slice and build `attentionMap`
  const AttentionPool* aggregator = nullptr;  // the model's aggregator.* head, when it has one
  ExplainMethod mapMethod = ExplainMethod::ClsAttention;
  int mapClass = -1;  // GradientAttention: the head output explained (-1: each slice's top-1)
  int mapHead = -1;   // ClsAttention: one head (-1: the mean over heads)
};

struct VolumeResult {
  int slices = 0;      // slices in the volume
  int slicesDone = 0;  // slices with results (== slices unless cancelled)
  // How the run ended: Ok, or ErrorCode::Cancelled when cancelled (the fields then hold the
  // slices done). The one cancelled result, as for every job (core/JobControl.hpp).
  core::Status ended = core::Ok{};
  bool cancelled() const { return core::isCancelled(ended); }
  // One entry per slice done, in slice order (k = 0, 1, ...).
  std::vector<std::vector<float>> probabilities;  // the slice-score curve, per class
  std::vector<std::vector<float>> embeddings;
  std::vector<core::Vec3> slicePositions;  // patient position (mm) of each slice's voxel (0, 0, k)
  ScoreAggregation study;                  // over the slices done
  std::string intensityNote;               // how stored values reached the model's [0, 1] input
  // The explanation maps (mapMethod), gridWidth x gridHeight x slices, Float32, in the
  // volume's physical space (spacing, origin, direction): the map convention for volumes.
  std::optional<core::Volume> attentionMap;
  double seconds = 0.0;
};

/// One explanation map's cells: the mean (or the method's map) when head < 0, else that
/// CLS-attention head's; fails for a head the map does not have.
core::Result<std::vector<float>> selectMapValues(const AttentionMap& map, int head);

class VolumePipeline {
 public:
  VolumePipeline(const VitModel& model, VolumePipelineOptions options);

  /// Fails on an empty or colour volume, or one the model cannot take; a cancel returns
  /// the slices done so far with `cancelled` set.
  core::Result<VolumeResult> run(const core::Volume& volume, const core::JobControl& job = {}) const;

 private:
  const VitModel& model_;
  VolumePipelineOptions options_;
};

}  // namespace meridian::model
