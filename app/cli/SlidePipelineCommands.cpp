// infer / explain on a whole slide: tissue mask, patch grid at --mpp, batched inference
// overlapped with tile decoding, per-patch scores, a heatmap (map volume + PNG overlay of
// the thumbnail) and slide-level scores; resumable from the output folder.

#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "ExitCodes.hpp"
#include "OutputFiles.hpp"
#include "ImageExplain.hpp"
#include "JobProgressLine.hpp"
#include "PipelineCommands.hpp"
#include "PredictionJson.hpp"
#include "meridian/core/AtomicFile.hpp"
#include "meridian/core/HeatmapOverlay.hpp"
#include "meridian/io/ImageWriter.hpp"
#include "meridian/model/SlidePipeline.hpp"

namespace meridian::app {
namespace fs = std::filesystem;
namespace {

constexpr int kThumbnailSide = 1024;

double msSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

std::string patchCsv(const model::SlideResult& r, const std::vector<model::ModelTask>& tasks) {
  std::ostringstream csv;
  csv.precision(9);
  csv << "cell,column,row,x,y,size";
  for (const auto& task : tasks)
    for (const auto& label : task.labels) csv << "," << (tasks.size() == 1 ? label : task.name + "." + label);
  csv << "\n";
  for (std::size_t i = 0; i < r.cells.size(); ++i) {
    const int cell = r.cells[i];
    const auto origin = r.grid.cellOrigin(cell);
    csv << cell << "," << cell % r.grid.columns << "," << cell / r.grid.columns << "," << origin[0] << "," << origin[1]
        << "," << r.grid.patchLevel0;
    for (float v : r.scores[i]) csv << "," << v;
    csv << "\n";
  }
  return csv.str();
}

// A level-0 map volume drawn over the slide's thumbnail.
core::Result<core::Image2D> overlayOnThumbnail(const core::SlideSource& slide, const core::Volume& map,
                                               double opacity) {
  auto thumb = slide.thumbnail(kThumbnailSide);
  if (!thumb) return thumb.error();
  const double perThumbPixel = static_cast<double>(slide.levels().front().width) / thumb.value().width();
  core::Heatmap h;
  h.width = map.size()[0];
  h.height = map.size()[1];
  const float* v = reinterpret_cast<const float*>(map.data());
  h.values.assign(v, v + map.voxelCount());
  // Cells no patch ran on hold 0; the overlay normalises to its min..max, so they would
  // squeeze the scores (probabilities, attention: all > 0) into the top of the colour map.
  // Drawn as the lowest score instead.
  float lowest = 0.0f;
  for (float x : h.values)
    if (x > 0.0f && (lowest == 0.0f || x < lowest)) lowest = x;
  for (float& x : h.values)
    if (x == 0.0f) x = lowest;
  h.cellWidth = map.spacing[0] / perThumbPixel;
  h.cellHeight = map.spacing[1] / perThumbPixel;
  // The map's origin is the first cell's centre in level-0 pixel coordinates (centres on
  // integers); the overlay wants that cell's top-left corner in thumbnail pixels.
  h.originX = (map.origin[0] + 0.5 - map.spacing[0] / 2.0) / perThumbPixel;
  h.originY = (map.origin[1] + 0.5 - map.spacing[1] / 2.0) / perThumbPixel;
  return core::renderHeatmapOverlay(thumb.value(), h, opacity, core::ColorMap::Jet);
}

model::SlidePipelineOptions baseOptions(const fs::path& modelDir, const fs::path& input, const model::VitModel& vit,
                                        const core::SlideSource& slide, double mpp, int batch) {
  model::SlidePipelineOptions options;
  options.micronsPerPixel = mpp;
  options.batchSize = batch;
  options.thumbnailSide = kThumbnailSide;
  options.modelId = modelJson(vit, modelDir)["sha256"].get<std::string>();
  std::error_code ec;
  options.slideId = fs::absolute(input, ec).lexically_normal().string() + " " +
                    std::to_string(slide.levels().front().width) + "x" + std::to_string(slide.levels().front().height);
  return options;
}

}  // namespace

int runSlideInfer(const InferOptions& o, const model::VitModel& vit, const core::SlideSource& slide, double loadMs) {
  if (!o.outDir.empty() && fs::is_directory(o.outDir))  // refused before the patches run, not after
    for (const char* name : {"patch_scores.csv", "heatmap.nii.gz", "heatmap.png", "summary.json"})
      if (auto allowed = core::checkOutputTarget(o.outDir / name, outputPolicy(o.force || o.resume, {o.input})); !allowed)
        return failOutput(allowed.error());
  if (o.resume && o.outDir.empty()) return fail(kExitUsage, "--resume needs --out: the progress is kept there");
  auto aggregator = loadAggregator(o.modelDir);
  if (!aggregator) return fail(aggregator.error(), Judged::InputFile);
  auto options = baseOptions(o.modelDir, o.input, vit, slide, o.mpp, o.batch);
  options.aggregator = aggregator.value().get();
  options.resume = o.resume;
  if (!o.outDir.empty()) {
    std::error_code ec;
    fs::create_directories(o.outDir, ec);
    if (ec) return fail(kExitFailure, o.outDir.string() + ": cannot create: " + ec.message());
    options.progressFile = o.outDir / "progress.json";
  }
  const auto t0 = std::chrono::steady_clock::now();
  JobProgressLine line(o.input.filename().string());
  auto result = model::SlidePipeline(vit, options).run(slide, line.job());
  line.finish();
  if (!result) return fail(exitCodeFor(result.error()), o.input.string() + ": " + result.error().message);
  const auto& r = result.value();
  const double pipelineMs = msSince(t0);
  if (!r.grid.mppKnown) std::fprintf(stderr, "meridian-cli: %s\n", r.grid.note.c_str());
  if (!r.resumeNote.empty()) std::fprintf(stderr, "meridian-cli: %s\n", r.resumeNote.c_str());

  const auto tasks = effectiveTasks(vit.card(), static_cast<std::size_t>(vit.config().numClasses));
  std::vector<std::string> labels;
  for (const auto& t : tasks) labels.insert(labels.end(), t.labels.begin(), t.labels.end());
  const auto mpp = slide.micronsPerPixel();
  const nlohmann::json summary = {
      {"model", modelJson(vit, o.modelDir)},
      {"input", o.input.string()},
      {"kind", "slide"},
      {"size", {slide.levels().front().width, slide.levels().front().height}},
      {"mpp", mpp ? nlohmann::json(*mpp) : nlohmann::json(nullptr)},
      {"grid",
       {{"level", r.grid.level},
        {"downsample", r.grid.levelDownsample},
        {"patch_level0", r.grid.patchLevel0},
        {"read_side", r.grid.readSide},
        {"columns", r.grid.columns},
        {"rows", r.grid.rows},
        {"mpp_known", r.grid.mppKnown},
        {"mpp", r.grid.mppKnown ? nlohmann::json(r.grid.micronsPerPixel) : nlohmann::json(nullptr)},
        {"note", r.grid.note}}},
      {"tissue",
       {{"channel", model::toString(r.mask.channel)},
        {"threshold", r.mask.threshold},
        {"otsu_splits", r.mask.otsuSplits},
        {"coverage", r.mask.coverage()},
        {"min_fraction", options.minTissueFraction}}},
      {"patches", {{"tissue", r.patchesTotal}, {"done", r.cells.size()}, {"resumed", r.resumedPatches}}},
      {"resume_note", r.resumeNote},
      {"complete", r.complete},
      {"cancelled", r.cancelled()},
      {"heatmap_label", static_cast<std::size_t>(r.heatmapClass) < labels.size() ? labels[r.heatmapClass] : ""},
      {"outputs", {{"slide", aggregationJson(vit, r.slide)}}},
      {"timing_ms",
       {{"load_model", loadMs},
        {"pipeline", pipelineMs},
        {"patches_wall", r.timing.patchPhaseSeconds * 1e3},
        {"decode_busy", r.timing.decodeBusySeconds * 1e3},
        {"infer_busy", r.timing.inferBusySeconds * 1e3},
        {"infer_waiting", r.timing.waitSeconds * 1e3}}}};
  if (!o.outDir.empty()) {
    // --resume rewrites what the interrupted run wrote; otherwise existing files need --force.
    const auto policy = outputPolicy(o.force || o.resume, {o.input});
    if (auto s = core::writeFileAtomically(o.outDir / "patch_scores.csv", patchCsv(r, tasks), policy); !s)
      return failOutput(s.error());
    if (auto s = io::writeVolume(r.heatmap, o.outDir / "heatmap.nii.gz", policy); !s) return failOutput(s.error());
    if (!r.cells.empty()) {  // cancelled before the first batch: nothing to draw
      auto overlay = overlayOnThumbnail(slide, r.heatmap, 0.5);
      if (!overlay) return fail(kExitFailure, "heatmap overlay: " + overlay.error().message);
      if (auto s = io::writeImage(overlay.value(), o.outDir / "heatmap.png", policy); !s) return failOutput(s.error());
    }
    if (auto s = writeJsonFile(o.outDir / "summary.json", summary, policy); !s) return failOutput(s.error());
  }
  if (o.json) {
    std::cout << summary.dump(2) << "\n";
  } else {
    std::cout << o.input.string() << ": " << r.cells.size() << " of " << r.patchesTotal << " tissue patches ("
              << r.grid.columns << "x" << r.grid.rows << " grid) in " << static_cast<int>(pipelineMs) << " ms"
              << (r.cancelled() ? " (cancelled)" : "") << "\n";
    const auto& s = summary["outputs"]["slide"];
    for (const char* key : {"mean", "max", "top_k_mean", "attention"})
      std::cout << "  " << key << "  " << s[key].dump() << "\n";
    if (!r.slide.attention.available) std::cout << "  (" << r.slide.attention.reason << ")\n";
    if (!o.outDir.empty())
      std::cout << "wrote patch_scores.csv, heatmap.nii.gz, heatmap.png, summary.json into " << o.outDir.string()
                << "\n";
  }
  if (r.cancelled())
    std::fprintf(stderr, "meridian-cli: cancelled; %zu of %zu patches kept%s\n", r.cells.size(), r.patchesTotal,
                 o.outDir.empty() ? "" : " (rerun with --resume to continue)");
  return r.cancelled() ? kExitCancelled : kExitOk;
}

int runSlideExplain(const ExplainOptions& o, const model::VitModel& vit, const core::SlideSource& slide) {
  auto request = explainRequest(o, vit);  // --method, --head, --class checked as for 2D images
  if (!request) return fail(request.error());
  const model::ExplainMethod method = request.value().method;
  const std::string ext = o.output.extension().string();
  if (ext != ".png" && ext != ".tif" && ext != ".tiff")
    return fail(kExitUsage, "a slide's explanation is an overlay of its thumbnail: --out must end in .png or .tif");
  auto options = baseOptions(o.modelDir, o.input, vit, slide, o.mpp, o.batch);
  options.attentionMaps = true;
  options.mapMethod = method;
  options.mapHead = request.value().head;
  options.mapClass = request.value().targetClass;
  JobProgressLine line(o.input.filename().string());
  auto result = model::SlidePipeline(vit, options).run(slide, line.job());
  line.finish();
  if (!result) return fail(exitCodeFor(result.error()), o.input.string() + ": " + result.error().message);
  const auto& r = result.value();
  if (!r.attentionMap || r.cells.empty()) return fail(kExitCancelled, "cancelled before the first patch was explained");
  auto overlay = overlayOnThumbnail(slide, *r.attentionMap, o.opacity);
  if (!overlay) return fail(kExitFailure, "overlay: " + overlay.error().message);
  const auto policy = outputPolicy(o.force, {o.input});
  if (auto s = io::writeImage(overlay.value(), o.output, policy); !s) return failOutput(s.error());
  fs::path mapFile = o.output;
  mapFile.replace_extension(".nii.gz");
  if (auto s = io::writeVolume(*r.attentionMap, mapFile, policy); !s) return failOutput(s.error());
  std::cout << "wrote " << o.output.string() << " and " << mapFile.string() << " (" << model::toString(method) << " of "
            << r.cells.size() << " tissue patches, map " << r.attentionMap->size()[0] << "x"
            << r.attentionMap->size()[1] << " cells of " << r.attentionMap->spacing[0] << " level-0 px"
            << (r.cancelled() ? ", cancelled: patches done only" : "") << ")\n";
  return r.cancelled() ? kExitCancelled : kExitOk;
}

}  // namespace meridian::app
