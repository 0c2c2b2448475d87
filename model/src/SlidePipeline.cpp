#include "meridian/model/SlidePipeline.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "PatchQueue.hpp"
#include "SlideProgressFile.hpp"
#include "meridian/core/Logging.hpp"
#include "meridian/model/Preprocessor.hpp"
#include "meridian/model/VolumePipeline.hpp"  // selectMapValues

namespace meridian::model {
namespace {

using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string number(double v) {
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}

struct DecodedPatch {
  int cell = 0;
  std::vector<float> chw;
};

}  // namespace

std::array<std::int64_t, 2> PatchGrid::cellOrigin(int cell) const {
  const int col = cell % columns, row = cell / columns;
  return {static_cast<std::int64_t>(std::llround(col * patchLevel0)),
          static_cast<std::int64_t>(std::llround(row * patchLevel0))};
}

core::Result<PatchGrid> planPatchGrid(const core::SlideSource& slide, const TissueMask& mask, int modelInputSize,
                                      const SlidePipelineOptions& options) {
  const auto& levels = slide.levels();
  if (levels.empty()) return core::makeError(core::ErrorCode::Corrupt, "slide has no pyramid levels");
  if (modelInputSize < 1) return core::makeError(core::ErrorCode::InvalidArgument, "model input size must be positive");
  if (!(options.micronsPerPixel > 0.0) || !std::isfinite(options.micronsPerPixel))
    return core::makeError(
        core::ErrorCode::InvalidArgument,
        "patch resolution must be a positive number of µm per pixel, not " + number(options.micronsPerPixel));
  if (!(options.minTissueFraction >= 0.0 && options.minTissueFraction <= 1.0))
    return core::makeError(core::ErrorCode::InvalidArgument, "minimum tissue fraction must lie in 0..1");
  PatchGrid grid;
  const auto mpp = slide.micronsPerPixel();
  double factor = 1.0;  // level-0 pixels per model-input pixel
  if (mpp && (*mpp)[0] > 0.0 && (*mpp)[1] > 0.0) {
    grid.mppKnown = true;
    grid.micronsPerPixel = options.micronsPerPixel;
    factor = options.micronsPerPixel / (((*mpp)[0] + (*mpp)[1]) / 2.0);
  }
  grid.patchLevel0 = modelInputSize * factor;
  // The coarsest level that is still at least as fine as the target: downsampling from
  // it to the model's size loses nothing; a coarser one would have to be upsampled.
  grid.level = 0;
  for (int l = 0; l < static_cast<int>(levels.size()); ++l)
    if (levels[l].downsample <= factor * 1.001 && levels[l].downsample >= levels[grid.level].downsample) grid.level = l;
  grid.levelDownsample = levels[grid.level].downsample;
  grid.readSide = std::max(1, static_cast<int>(std::lround(grid.patchLevel0 / grid.levelDownsample)));
  grid.columns = static_cast<int>(std::floor(levels[0].width / grid.patchLevel0 + 1e-9));
  grid.rows = static_cast<int>(std::floor(levels[0].height / grid.patchLevel0 + 1e-9));
  std::ostringstream note;
  if (grid.mppKnown)
    note << "patches of " << modelInputSize << " px at " << options.micronsPerPixel << " µm/px = " << grid.patchLevel0
         << " level-0 px, read from level " << grid.level << " (downsample " << grid.levelDownsample << ") as "
         << grid.readSide << " px";
  else
    note << "the slide records no µm/px: patches of " << modelInputSize
         << " level-0 px read at level 0 (the requested µm/px is ignored)";
  grid.note = note.str();
  if (grid.columns < 1 || grid.rows < 1)
    return core::makeError(core::ErrorCode::InvalidArgument,
                           "the slide (" + std::to_string(levels[0].width) + "x" + std::to_string(levels[0].height) +
                               " px) is smaller than one patch of " + number(grid.patchLevel0) + " level-0 px");
  for (int r = 0; r < grid.rows; ++r)
    for (int c = 0; c < grid.columns; ++c)
      if (mask.tissueFraction(c * grid.patchLevel0, r * grid.patchLevel0, grid.patchLevel0, grid.patchLevel0) >=
          options.minTissueFraction)
        grid.tissueCells.push_back(r * grid.columns + c);
  return grid;
}

SlidePipeline::SlidePipeline(const VitModel& model, SlidePipelineOptions options)
    : model_(model), options_(std::move(options)) {}

core::Result<SlideResult> SlidePipeline::run(const core::SlideSource& slide, const core::JobControl& job) const {
  const auto t0 = Clock::now();
  const auto log = core::logging::get(core::logging::Layer::Model);
  if (options_.batchSize < 1 || options_.readerThreads < 1 || options_.queueCapacity < 1)
    return core::makeError(core::ErrorCode::InvalidArgument,
                           "batch size, reader threads and queue capacity must be positive");
  const InputModality modality = model_.preprocessConfig().modality;
  if (modality == InputModality::CT || modality == InputModality::Grayscale)
    return core::makeError(core::ErrorCode::Unsupported,
                           std::string("the model takes ") + toString(modality) +
                               " images; a whole slide is colour microscopy: use a pathology (color or any) model");
  const int inputSize = model_.config().imageSize;
  const int classes = model_.config().numClasses;
  if (classes < 1 && !options_.decodeOnly)
    return core::makeError(core::ErrorCode::Unsupported,
                           "the model has no classification head: no patch scores to map");

  SlideResult result;
  auto mask = computeTissueMask(slide, options_.thumbnailSide);
  if (!mask) return mask.error();
  result.mask = std::move(mask).value();
  auto grid = planPatchGrid(slide, result.mask, inputSize, options_);
  if (!grid) return grid.error();
  result.grid = std::move(grid).value();
  const PatchGrid& g = result.grid;
  result.patchesTotal = g.tissueCells.size();
  result.heatmapClass = options_.heatmapClass >= 0 ? options_.heatmapClass : (classes >= 2 ? 1 : 0);
  if (!options_.decodeOnly && result.heatmapClass >= classes)
    return core::makeError(core::ErrorCode::InvalidArgument, "heatmap class " + std::to_string(result.heatmapClass) +
                                                                 ": the model has " + std::to_string(classes) +
                                                                 " classes");
  const bool keepEmbeddings = options_.aggregator != nullptr;

  // What identifies this run for a later resume.
  SlideProgress progress;
  progress.modelId = options_.modelId;
  progress.slideId = options_.slideId;
  progress.total = result.patchesTotal;
  progress.settings = {
      {"micronsPerPixel", g.mppKnown ? number(options_.micronsPerPixel) : "unknown"},
      {"level", std::to_string(g.level)},
      {"patchLevel0", number(g.patchLevel0)},
      {"readSide", std::to_string(g.readSide)},
      {"inputSize", std::to_string(inputSize)},
      {"grid", std::to_string(g.columns) + "x" + std::to_string(g.rows)},
      {"thumbnailSide", std::to_string(options_.thumbnailSide)},
      {"minTissueFraction", number(options_.minTissueFraction)},
      {"tissue", std::string(toString(result.mask.channel)) + ">" + std::to_string(result.mask.threshold)},
      {"embeddings", keepEmbeddings ? "yes" : "no"},
      {"maps", options_.attentionMaps
                   ? std::string(toString(options_.mapMethod)) + " class " + std::to_string(options_.mapClass) +
                         " head " + std::to_string(options_.mapHead)
                   : "no"}};
  const bool persistent = !options_.progressFile.empty() && !options_.decodeOnly;
  std::error_code ec;
  if (persistent && std::filesystem::exists(options_.progressFile, ec)) {
    if (!options_.resume) {
      result.resumeNote = "started over: " + options_.progressFile.string() + " exists but resuming was not asked for";
    } else if (auto saved = loadSlideProgress(options_.progressFile); !saved) {
      result.resumeNote = "started over: " + saved.error().message;
    } else if (auto why = describeProgressMismatch(saved.value(), progress); !why.empty()) {
      result.resumeNote = "started over: the saved progress was made with " + why;
    } else {
      progress.done = std::move(saved.value().done);
      result.resumedPatches = progress.done.size();
      result.resumeNote = "resumed: " + std::to_string(result.resumedPatches) + " of " +
                          std::to_string(result.patchesTotal) + " patches were already done";
    }
  }
  if (!result.resumeNote.empty()) log->info("slide pipeline: {}", result.resumeNote);

  std::vector<int> todo;
  for (int cell : g.tissueCells)
    if (!progress.done.count(cell)) todo.push_back(cell);

  // Readers: read + preprocess patches in cell order into the bounded queue.
  PatchQueue<DecodedPatch> queue(static_cast<std::size_t>(options_.queueCapacity));
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex errorMutex;
  std::optional<core::Error> readError;
  std::vector<double> decodeBusy(static_cast<std::size_t>(options_.readerThreads), 0.0);
  const PreprocessConfig preprocess = model_.preprocessConfig();
  const auto reader = [&](int id) {
    for (std::size_t i = next++; i < todo.size() && !stop; i = next++) {
      const auto start = Clock::now();
      const auto origin = g.cellOrigin(todo[i]);
      auto region = slide.readRegion(g.level, origin[0], origin[1], g.readSide, g.readSide);
      core::Result<PreprocessedImage> pre = region ? preprocessImage(region.value(), inputSize, preprocess)
                                                   : core::Result<PreprocessedImage>(region.error());
      decodeBusy[static_cast<std::size_t>(id)] += secondsSince(start);
      if (!pre) {
        std::lock_guard<std::mutex> lock(errorMutex);
        if (!readError)
          readError = core::makeError(pre.error().code, "patch at level-0 (" + std::to_string(origin[0]) + ", " +
                                                            std::to_string(origin[1]) + "): " + pre.error().message);
        stop = true;
        queue.close();
        break;
      }
      if (!queue.push(DecodedPatch{todo[i], std::move(pre.value().chw)})) break;
    }
    queue.producerDone();
  };
  const auto patchStart = Clock::now();
  queue.setProducers(options_.readerThreads);
  std::vector<std::thread> readers;
  for (int t = 0; t < options_.readerThreads; ++t) readers.emplace_back(reader, t);

  // Consumer: this thread runs the model on batches and checkpoints now and then.
  std::optional<core::Error> inferError;
  auto lastSave = Clock::now();
  const std::size_t perImage = static_cast<std::size_t>(3) * inputSize * inputSize;
  std::size_t decodedOnly = 0;
  int mapGrid = model_.config().gridSize();  // explanation cells per patch side
  const auto save = [&](bool complete) {
    if (!persistent) return;
    progress.complete = complete;
    if (auto status = saveSlideProgress(options_.progressFile, progress); !status)
      log->warn("slide pipeline: cannot save progress: {}", status.error().message);
    lastSave = Clock::now();
  };
  while (true) {
    if (job.cancelled()) {
      result.ended = core::makeError(core::ErrorCode::Cancelled, "slide pipeline cancelled");
      break;
    }
    const auto waitStart = Clock::now();
    std::vector<DecodedPatch> items = queue.popBatch(static_cast<std::size_t>(options_.batchSize));
    result.timing.waitSeconds += secondsSince(waitStart);
    if (items.empty()) break;
    if (options_.decodeOnly) {
      decodedOnly += items.size();
      job.report({"patches (decode only)", decodedOnly, todo.size(), -1, ""});
      continue;
    }
    InputBatch batch{static_cast<int>(items.size()), inputSize, inputSize, {}};
    batch.data.resize(perImage * items.size());
    for (std::size_t i = 0; i < items.size(); ++i)
      std::memcpy(batch.data.data() + i * perImage, items[i].chw.data(), perImage * sizeof(float));
    const auto inferStart = Clock::now();
    auto predictions = model_.predict(batch);
    result.timing.inferBusySeconds += secondsSince(inferStart);
    if (!predictions) {
      inferError = predictions.error();
      break;
    }
    std::vector<std::vector<float>> maps(items.size());
    if (options_.attentionMaps) {
      const auto mapStart = Clock::now();
      auto explained = model_.explain(batch, options_.mapMethod, options_.mapClass);
      result.timing.inferBusySeconds += secondsSince(mapStart);
      if (!explained) {
        inferError = explained.error();
        break;
      }
      for (std::size_t i = 0; i < items.size(); ++i) {
        auto values = selectMapValues(explained.value()[i], options_.mapHead);
        if (!values) {
          inferError = values.error();
          break;
        }
        mapGrid = explained.value()[i].gridWidth;
        maps[i] = std::move(values).value();
      }
      if (inferError) break;
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
      auto& p = predictions.value()[i];
      progress.done[items[i].cell] =
          PatchOutput{std::move(p.probabilities), keepEmbeddings ? std::move(p.embedding) : std::vector<float>(),
                      std::move(maps[i])};
    }
    if (options_.onPatches) {
      std::vector<int> batchCells;
      std::vector<std::vector<float>> batchScores;
      for (const auto& item : items) {
        batchCells.push_back(item.cell);
        batchScores.push_back(progress.done[item.cell].scores);
      }
      options_.onPatches(g, result.heatmapClass, batchCells, batchScores);
    }
    const double elapsed = secondsSince(t0);
    const std::size_t doneNow = progress.done.size() - result.resumedPatches;
    const std::size_t left = result.patchesTotal - progress.done.size();
    job.report({"patches", progress.done.size(), result.patchesTotal, doneNow ? elapsed / doneNow * left : -1, ""});
    if (secondsSince(lastSave) >= options_.checkpointSeconds) save(false);
  }
  stop = true;
  queue.close();
  for (auto& t : readers) t.join();
  result.timing.patchPhaseSeconds = secondsSince(patchStart);
  for (double b : decodeBusy) result.timing.decodeBusySeconds += b;
  if (readError || inferError) {
    save(false);  // what finished stays valid for a resume
    return readError ? *readError : *inferError;
  }

  result.complete = !result.cancelled() && progress.done.size() == result.patchesTotal && !options_.decodeOnly;
  save(result.complete);

  for (const auto& [cell, out] : progress.done) {
    result.cells.push_back(cell);
    result.scores.push_back(out.scores);
    if (keepEmbeddings) result.embeddings.push_back(out.embedding);
  }
  result.slide = aggregateScores(result.scores, options_.topK);
  std::vector<float> flat;
  for (const auto& e : result.embeddings) flat.insert(flat.end(), e.begin(), e.end());
  if (!result.cells.empty())
    result.slide.attention = poolOrExplain(options_.aggregator, flat, static_cast<int>(result.cells.size()));
  else
    result.slide.attention.reason = "no patches were run";

  auto heatmap = core::Volume::allocate({g.columns, g.rows, 1}, core::PixelType::Float32);
  if (!heatmap) return heatmap.error();
  float* cellsOut = reinterpret_cast<float*>(heatmap.value().data());
  for (std::size_t i = 0; i < result.cells.size(); ++i)
    if (static_cast<std::size_t>(result.heatmapClass) < result.scores[i].size())
      cellsOut[result.cells[i]] = result.scores[i][static_cast<std::size_t>(result.heatmapClass)];
  result.heatmap = std::move(heatmap).value();
  result.heatmap.spacing = {g.patchLevel0, g.patchLevel0, 1.0};
  result.heatmap.origin = {(g.patchLevel0 - 1.0) / 2.0, (g.patchLevel0 - 1.0) / 2.0, 0.0};
  result.heatmap.direction = core::kIdentity3;
  result.heatmap.modality = "MAP";
  if (options_.attentionMaps) {
    auto stitched = core::Volume::allocate({g.columns * mapGrid, g.rows * mapGrid, 1}, core::PixelType::Float32);
    if (!stitched) return stitched.error();
    float* out = reinterpret_cast<float*>(stitched.value().data());
    const std::size_t width = static_cast<std::size_t>(g.columns) * mapGrid;
    for (const auto& [cell, patch] : progress.done) {
      if (patch.map.size() != static_cast<std::size_t>(mapGrid) * mapGrid) continue;
      const std::size_t x0 = static_cast<std::size_t>(cell % g.columns) * mapGrid;
      const std::size_t y0 = static_cast<std::size_t>(cell / g.columns) * mapGrid;
      for (int j = 0; j < mapGrid; ++j)
        for (int i = 0; i < mapGrid; ++i)
          out[(y0 + j) * width + x0 + i] = patch.map[static_cast<std::size_t>(j) * mapGrid + i];
    }
    core::Volume& m = stitched.value();
    const double cell = g.patchLevel0 / mapGrid;
    m.spacing = {cell, cell, 1.0};
    m.origin = {(cell - 1.0) / 2.0, (cell - 1.0) / 2.0, 0.0};
    m.modality = "MAP";
    result.attentionMap = std::move(stitched).value();
  }
  result.timing.totalSeconds = secondsSince(t0);
  return result;
}

}  // namespace meridian::model
