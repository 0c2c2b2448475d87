#pragma once
// A whole slide through the ViT patch by patch:
//   1. tissue mask: Otsu on the thumbnail (TissueMask.hpp);
//   2. patch grid at a chosen resolution (µm per model-input pixel): a patch is
//      imageSize model pixels, i.e. imageSize * mpp / slideMpp level-0 pixels; it is read
//      from the coarsest pyramid level that is still at least that fine and resampled to
//      imageSize. A slide that records no mpp is read at level 0 with one level-0 pixel
//      per model pixel, and the result says so. Only whole patches, and only those whose
//      tissue fraction reaches minTissueFraction, are run;
//   3. batched inference overlapped with decoding: reader threads read + preprocess
//      patches into a bounded queue, one consumer runs the model on batches;
//   4. per-patch class probabilities -> a heatmap map (core::Volume Float32 in level-0
//      pixel geometry) and slide-level mean / max / top-k mean / attention pooling.
// Resumable: with a progress file, finished patches (index + scores) are saved atomically
// every few seconds, on cancel and at the end; a rerun with the same model, slide and
// settings continues where it stopped, anything else starts over and says why.
// Torch-free interface.

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "meridian/core/JobControl.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/core/SlideSource.hpp"
#include "meridian/core/Volume.hpp"
#include "meridian/model/Aggregation.hpp"
#include "meridian/model/AggregationAttentionPool.hpp"
#include "meridian/model/ExplainMethod.hpp"
#include "meridian/model/TissueMask.hpp"
#include "meridian/model/VitModel.hpp"

namespace meridian::model {

struct PatchGrid;

struct SlidePipelineOptions {
  double micronsPerPixel = 0.5;  // resolution the model sees (ignored when the slide has no mpp)
  int batchSize = 16;
  int readerThreads = 2;     // tile decoding threads
  int queueCapacity = 64;    // decoded patches waiting for the model, at most
  int thumbnailSide = 1024;  // tissue-mask thumbnail, longest side
  double minTissueFraction = 0.25;
  int topK = 10;                              // patches averaged by the top-k slide score
  int heatmapClass = -1;                      // class drawn in the heatmap; -1: class 1 with >= 2 classes, else 0
  const AttentionPool* aggregator = nullptr;  // the model's aggregator.* head, when it has one
  // Resume: where progress is kept, and what identifies the run (checked on resume).
  std::filesystem::path progressFile;  // empty: not resumable
  bool resume = false;                 // continue from progressFile when it matches
  std::string modelId;                 // e.g. SHA-256 of the weights
  std::string slideId;                 // e.g. the slide's path and level-0 size
  double checkpointSeconds = 2.0;
  bool decodeOnly = false;  // measurement: read + preprocess every patch, run no model
  // Explanations: each patch's map (mapMethod) stitched into `attentionMap`.
  bool attentionMaps = false;
  ExplainMethod mapMethod = ExplainMethod::ClsAttention;
  int mapClass = -1;  // GradientAttention: the head output explained (-1: each patch's top-1)
  int mapHead = -1;   // ClsAttention: one head (-1: the mean over heads)
  // Called on the model's thread after every batch with the grid, the heatmap's class, that
  // batch's cells (row * columns + column) and their class probabilities, so a viewer can
  // grow the heatmap while the run goes on. Patches a resumed run read back are not repeated.
  std::function<void(const PatchGrid& grid, int heatmapClass, const std::vector<int>& cells,
                     const std::vector<std::vector<float>>& scores)>
      onPatches;
};

struct PatchGrid {
  int level = 0;  // pyramid level read
  double levelDownsample = 1.0;
  double patchLevel0 = 0.0;   // patch side in level-0 pixels
  int readSide = 0;           // patch side in pixels of `level`
  int columns = 0, rows = 0;  // whole patches across the slide
  bool mppKnown = false;
  double micronsPerPixel = 0.0;  // of the model input (0 when the slide has no mpp)
  std::string note;              // how the level and size were chosen
  std::vector<int> tissueCells;  // row * columns + column of every patch with enough tissue

  /// Level-0 top-left corner of a cell.
  std::array<std::int64_t, 2> cellOrigin(int cell) const;
};

/// Lays the grid over the slide and keeps the cells the mask calls tissue.
core::Result<PatchGrid> planPatchGrid(const core::SlideSource& slide, const TissueMask& mask, int modelInputSize,
                                      const SlidePipelineOptions& options);

struct SlideTiming {
  double totalSeconds = 0.0;       // the whole run, tissue mask included
  double patchPhaseSeconds = 0.0;  // wall time from starting the readers to the last patch
  double decodeBusySeconds = 0.0;  // summed over reader threads: readRegion + preprocessing
  double inferBusySeconds = 0.0;   // the consumer inside the model
  double waitSeconds = 0.0;        // the consumer waiting for decoded patches
};

struct SlideResult {
  TissueMask mask;
  PatchGrid grid;
  // Finished patches in ascending cell order (with those a resumed run read back).
  std::vector<int> cells;
  std::vector<std::vector<float>> scores;      // class probabilities per finished patch
  std::vector<std::vector<float>> embeddings;  // only when an aggregator needs them
  std::size_t patchesTotal = 0;                // tissue patches
  // How the run ended: Ok, or ErrorCode::Cancelled when cancelled (the fields then hold the
  // patches finished). The one cancelled result, as for every job (core/JobControl.hpp).
  core::Status ended = core::Ok{};
  bool cancelled() const { return core::isCancelled(ended); }
  bool complete = false;
  std::size_t resumedPatches = 0;  // patches read back from the progress file
  std::string resumeNote;          // "resumed ...", "started over: ..." or empty
  int heatmapClass = 0;
  ScoreAggregation slide;  // over the finished patches
  // Per-patch probability of heatmapClass (0 for patches not run), columns x rows x 1,
  // in level-0 pixel geometry: spacing = patch side, origin = centre of cell (0, 0) with
  // pixel centres at integer coordinates (ITK convention), identity direction.
  core::Volume heatmap;
  // With attentionMaps: every patch's explanation grid (g x g cells) in place, columns*g x
  // rows*g x 1 in level-0 pixel geometry (spacing = patch side / g); 0 where no patch ran.
  std::optional<core::Volume> attentionMap;
  SlideTiming timing;
};

class SlidePipeline {
 public:
  SlidePipeline(const VitModel& model, SlidePipelineOptions options);

  /// A cancel returns the patches done so far with `cancelled` set, after saving them.
  core::Result<SlideResult> run(const core::SlideSource& slide, const core::JobControl& job = {}) const;

 private:
  const VitModel& model_;
  SlidePipelineOptions options_;
};

}  // namespace meridian::model
