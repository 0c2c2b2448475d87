// ModelService::predict: the cases of a project through the model, one model run, one stored
// prediction per case. 2D images in one forward pass, volumes through the volume pipeline
// (study score + per-slice curve), slides through the slide pipeline (heatmap file that grows
// as patches finish).

#include <algorithm>
#include <chrono>
#include <cstring>

#include <nlohmann/json.hpp>

#include "CaseInput.hpp"
#include "MapFiles.hpp"
#include "VitModelService.hpp"
#include "meridian/core/Logging.hpp"
#include "meridian/model/Runtime.hpp"
#include "meridian/model/SlidePipeline.hpp"
#include "meridian/model/VolumePipeline.hpp"
#include "meridian/project/ProjectStore.hpp"
#include "meridian/service/StoredPrediction.hpp"

namespace meridian::service {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// Fills probabilities (with task and label names) and the first task's top label.
void nameOutputs(const ModelCardView& card, const std::vector<float>& probabilities, CasePrediction& out) {
  out.probabilities.clear();
  std::size_t index = 0;
  for (const auto& task : card.tasks)
    for (const auto& label : task.labels)
      if (index < probabilities.size()) out.probabilities.push_back({task.name, label, probabilities[index++]});
  for (; index < probabilities.size(); ++index)
    out.probabilities.push_back({"classification", "class_" + std::to_string(index), probabilities[index]});
  const std::size_t firstTask =
      card.tasks.empty() ? probabilities.size() : std::min(card.tasks.front().labels.size(), probabilities.size());
  out.topProbability = -1;
  for (std::size_t i = 0; i < firstTask; ++i)
    if (out.probabilities[i].probability > out.topProbability) {
      out.topProbability = out.probabilities[i].probability;
      out.topLabel = out.probabilities[i].label;
    }
  if (out.topProbability < 0) out.topProbability = 0;
}

std::size_t indexOfLabel(const CasePrediction& p, const std::string& label) {
  for (std::size_t i = 0; i < p.probabilities.size(); ++i)
    if (p.probabilities[i].label == label) return i;
  return 0;
}

core::Error caseError(const project::CaseRecord& record, const core::Error& e) {
  const std::string prefix = "case " + std::to_string(record.id) + ": ";
  return core::makeError(e.code, e.message.rfind(prefix, 0) == 0 ? e.message : prefix + e.message);
}

/// A slide's kind check before the run: a small RGB region through the model's checkInputKind.
core::Status checkSlideKind(const model::VitModel& vit, const core::SlideSource& slide, const std::string& modality) {
  const int level = static_cast<int>(slide.levels().size()) - 1;
  auto region = slide.readRegion(level, 0, 0, 8, 8);
  if (!region) return region.error();
  return vit.checkInputKind(region.value(), modality.empty() ? "SM" : modality);
}

}  // namespace

core::Result<PredictReport> VitModelService::predict(project::ProjectStore& store, const PredictRequest& request,
                                                     const core::JobControl& job, const PredictCallbacks& callbacks) {
  if (auto ok = requireModel(); !ok) return ok.error();
  model::applyIntraOpThreads();  // this job thread's LibTorch threads: the window leaves its UI a core
  if (store.isReadOnly())
    return core::makeError(core::ErrorCode::Io, store.folder().string() +
                                                    " is open read-only (another window holds it): predictions cannot be stored");
  std::vector<project::CaseRecord> cases;
  if (request.cases.empty()) {
    auto all = store.listCases();
    if (!all) return all.error();
    cases = std::move(all).value();
  } else {
    for (project::CaseId id : request.cases) {
      auto one = store.getCase(id);
      if (!one) return one.error();
      cases.push_back(std::move(one).value());
    }
  }
  if (cases.empty()) return core::makeError(core::ErrorCode::InvalidArgument, "the project has no cases to predict");

  const auto t0 = Clock::now();
  project::ModelRun run;
  run.task = "inference";
  run.modelName = card_->name;
  run.weightsSha256 = card_->weightsSha256;
  run.parametersJson = nlohmann::json{{"model_folder", card_->folder.string()},
                                      {"device", device_.device},
                                      {"precision", device_.precision},
                                      {"cases", cases.size()},
                                      {"slide_microns_per_pixel", request.slideMicronsPerPixel},
                                      {"batch", request.batchSize}}
                           .dump();
  auto runId = store.startModelRun(run);
  if (!runId) return runId.error();
  PredictReport report;
  report.runId = runId.value();
  bool cancelled = false;
  for (std::size_t i = 0; i < cases.size() && !cancelled; ++i) {
    if (job.cancelled()) {
      cancelled = true;
      break;
    }
    const auto& record = cases[i];
    job.report({"case " + std::to_string(i + 1) + " of " + std::to_string(cases.size()), i, cases.size(), -1, record.path});
    auto one = predictCase(store, record, report.runId, request, job, callbacks);
    if (!one) {
      if (one.error().code == core::ErrorCode::Cancelled) {
        cancelled = true;
        break;
      }
      report.failed.push_back({record.id, record.path, caseError(record, one.error()).message});
      core::logging::get(core::logging::Layer::Model)->warn("model service: {}", report.failed.back().reason);
      continue;
    }
    report.done.push_back(one.value());
    if (callbacks.caseDone) callbacks.caseDone(one.value());
  }
  const std::string status = cancelled ? "cancelled" : (report.done.empty() ? "failed" : "succeeded");
  if (auto finished = store.finishModelRun(report.runId, status); !finished) return finished.error();
  report.seconds = secondsSince(t0);
  if (cancelled)
    return core::makeError(core::ErrorCode::Cancelled, "prediction cancelled after " + std::to_string(report.done.size()) +
                                                           " of " + std::to_string(cases.size()) +
                                                           " cases (their predictions are kept)");
  return report;
}

core::Result<CasePrediction> VitModelService::predictCase(project::ProjectStore& store, const project::CaseRecord& record,
                                                          project::ModelRunId runId, const PredictRequest& request,
                                                          const core::JobControl& job, const PredictCallbacks& callbacks) {
  auto input = recent_.open(record);
  if (!input) return input.error();
  CasePrediction out;
  out.caseId = record.id;
  out.kind = record.kind;
  out.modelName = card_->name;
  out.weightsSha256 = card_->weightsSha256;
  std::size_t patchesDone = 0, patchesTotal = 0;
  if (auto* image = std::get_if<core::Image2D>(&input.value().content)) {
    out.kind = project::CaseKind::Image;
    if (auto kind = model_->checkInputKind(*image, image->modality); !kind) return kind.error();
    auto predicted = model_->predict(*image);
    if (!predicted) return predicted.error();
    nameOutputs(*card_, predicted.value().probabilities, out);
    out.scoreAggregation = "image";
  } else if (auto* volume = std::get_if<core::Volume>(&input.value().content)) {
    out.kind = project::CaseKind::Volume;
    model::VolumePipelineOptions options;
    options.batchSize = std::max(1, request.batchSize);
    options.aggregator = aggregator_.get();
    auto result = model::VolumePipeline(*model_, options).run(*volume, job);
    if (!result) return result.error();
    if (result.value().cancelled()) return result.value().ended.error();
    nameOutputs(*card_, result.value().study.mean, out);
    const std::size_t top = indexOfLabel(out, out.topLabel);
    for (const auto& slice : result.value().probabilities) out.sliceCurve.push_back(top < slice.size() ? slice[top] : 0.f);
    out.scoreAggregation = "mean over " + std::to_string(result.value().slicesDone) + " slices";
  } else {
    out.kind = project::CaseKind::Slide;
    const auto& slide = *std::get<std::shared_ptr<core::SlideSource>>(input.value().content);
    if (auto kind = checkSlideKind(*model_, slide, input.value().modality); !kind) return kind.error();
    auto mapFile = newMapFile(store, record.id, "heatmap");
    if (!mapFile) return mapFile.error();
    out.mapFile = mapFile.value();
    // The heatmap grows on disk as batches finish (at most once a second, and at the end),
    // so the slide viewer can reload it while the job runs.
    core::Volume growing;
    bool growingReady = false;
    auto lastWrite = Clock::now() - std::chrono::seconds(10);
    std::size_t seen = 0;
    model::SlidePipelineOptions options;
    options.micronsPerPixel = request.slideMicronsPerPixel;
    options.batchSize = std::max(1, request.batchSize);
    options.aggregator = aggregator_.get();
    options.onPatches = [&](const model::PatchGrid& g, int heatmapClass, const std::vector<int>& cells,
                            const std::vector<std::vector<float>>& scores) {
      if (!growingReady) {
        auto allocated = core::Volume::allocate({g.columns, g.rows, 1}, core::PixelType::Float32);
        if (!allocated) return;
        growing = std::move(allocated).value();
        growingReady = true;
        growing.spacing = {g.patchLevel0, g.patchLevel0, 1.0};
        growing.origin = {(g.patchLevel0 - 1.0) / 2.0, (g.patchLevel0 - 1.0) / 2.0, 0.0};
        growing.direction = core::kIdentity3;
        growing.modality = "MAP";
      }
      float* cellsOut = reinterpret_cast<float*>(growing.data());
      for (std::size_t i = 0; i < cells.size(); ++i)
        if (static_cast<std::size_t>(heatmapClass) < scores[i].size())
          cellsOut[cells[i]] = scores[i][static_cast<std::size_t>(heatmapClass)];
      seen += cells.size();
      if (secondsSince(lastWrite) < 1.0) return;
      if (writeMapFile(store, out.mapFile, growing)) {
        lastWrite = Clock::now();
        if (callbacks.mapGrew) callbacks.mapGrew(record.id, store.folder() / out.mapFile, seen, g.tissueCells.size());
      }
    };
    auto result = model::SlidePipeline(*model_, options).run(slide, job);
    std::error_code ec;
    if (!result || result.value().cancelled()) {
      std::filesystem::remove(store.folder() / out.mapFile, ec);  // a partial map of a run that stores nothing
      return result ? result.value().ended.error() : result.error();
    }
    if (auto written = writeMapFile(store, out.mapFile, result.value().heatmap); !written) return written.error();
    patchesDone = result.value().cells.size();
    patchesTotal = result.value().patchesTotal;
    if (callbacks.mapGrew) callbacks.mapGrew(record.id, store.folder() / out.mapFile, patchesDone, patchesTotal);
    nameOutputs(*card_, result.value().slide.mean, out);
    out.scoreAggregation = "mean over " + std::to_string(patchesDone) + " patches";
  }
  project::Prediction stored;
  stored.caseId = record.id;
  stored.runId = runId;
  stored.weightsSha256 = card_->weightsSha256;
  stored.outputsJson = inferenceOutputsJson(out, patchesDone, patchesTotal);
  stored.mapFile = out.mapFile;
  auto id = store.addPrediction(stored);
  if (!id) return id.error();
  out.predictionId = id.value();
  auto again = store.predictions(record.id);  // the created time as the store wrote it
  if (again)
    for (const auto& p : again.value())
      if (p.id == out.predictionId) out.createdUtc = p.createdUtc;
  return out;
}

}  // namespace meridian::service
