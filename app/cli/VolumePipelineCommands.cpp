// infer / explain on a CT or MR volume (a NIfTI/NRRD/MHA file or a DICOM series folder):
// every axial slice through the model, the slice-score curve and study-level scores;
// explain writes the per-slice maps as one map volume in the volume's physical space.

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "ExitCodes.hpp"
#include "OutputFiles.hpp"
#include "ImageExplain.hpp"
#include "JobProgressLine.hpp"
#include "PipelineCommands.hpp"
#include "PredictionJson.hpp"
#include "meridian/core/AtomicFile.hpp"
#include "meridian/io/ImageWriter.hpp"
#include "meridian/model/VolumePipeline.hpp"

namespace meridian::app {
namespace fs = std::filesystem;
namespace {

// One column per head output: the label, or task.label when the card has several tasks.
std::vector<std::string> scoreColumns(const std::vector<model::ModelTask>& tasks) {
  std::vector<std::string> columns;
  for (const auto& task : tasks)
    for (const auto& label : task.labels) columns.push_back(tasks.size() == 1 ? label : task.name + "." + label);
  return columns;
}

std::string csvField(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string sliceCsv(const model::VolumeResult& r, const std::vector<std::string>& columns) {
  std::ostringstream csv;
  csv.precision(9);
  csv << "slice,x_mm,y_mm,z_mm";
  for (const auto& c : columns) csv << "," << csvField(c);
  csv << "\n";
  for (std::size_t k = 0; k < r.probabilities.size(); ++k) {
    const auto& p = r.slicePositions[k];
    csv << k << "," << p[0] << "," << p[1] << "," << p[2];
    for (float v : r.probabilities[k]) csv << "," << v;
    csv << "\n";
  }
  return csv.str();
}

double msSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int runVolumeInfer(const InferOptions& o, const model::VitModel& vit, const core::Volume& volume, double loadMs,
                   const nlohmann::json& incomplete) {
  if (!o.outDir.empty())  // refused before the slices run, not after
    for (const char* name : {"slice_scores.csv", "summary.json"})
      if (fs::is_directory(o.outDir))
        if (auto allowed = core::checkOutputTarget(o.outDir / name, outputPolicy(o.force, {o.input})); !allowed)
          return failOutput(allowed.error());
  auto aggregator = loadAggregator(o.modelDir);
  if (!aggregator) return fail(aggregator.error(), Judged::InputFile);
  model::VolumePipelineOptions options;
  options.batchSize = o.batch;
  options.aggregator = aggregator.value().get();
  const auto t0 = std::chrono::steady_clock::now();
  JobProgressLine line(o.input.filename().string());
  auto result = model::VolumePipeline(vit, options).run(volume, line.job());
  line.finish();
  if (!result) return fail(exitCodeFor(result.error()), o.input.string() + ": " + result.error().message);
  const auto& r = result.value();
  const double pipelineMs = msSince(t0);

  const auto tasks = effectiveTasks(vit.card(), r.probabilities.empty() ? 0 : r.probabilities.front().size());
  nlohmann::json summary = {{"model", modelJson(vit, o.modelDir)},
                                  {"input", o.input.string()},
                                  {"kind", "volume"},
                                  {"modality", volume.modality},
                                  {"size", volume.size()},
                                  {"spacing", volume.spacing},
                                  {"slices", r.slices},
                                  {"slices_done", r.slicesDone},
                                  {"all_slices_done", !r.cancelled() && r.slicesDone == r.slices},  // not "complete": the series' own mark is "incomplete"
                                  {"cancelled", r.cancelled()},
                                  {"outputs", {{"study", aggregationJson(vit, r.study)}}},
                                  {"embedding_dim", r.embeddings.empty() ? 0 : r.embeddings.front().size()},
                                  {"intensity", r.intensityNote},
                                  {"timing_ms", {{"load_model", loadMs}, {"pipeline", pipelineMs}}}};
  // A DICOM series with unreadable or missing slices, run because the user allowed it.
  if (!incomplete.is_null()) summary["incomplete"] = incomplete;
  if (!o.outDir.empty()) {
    std::error_code ec;
    fs::create_directories(o.outDir, ec);
    if (ec) return fail(kExitFailure, o.outDir.string() + ": cannot create: " + ec.message());
    const auto policy = outputPolicy(o.force, {o.input});
    if (auto s = core::writeFileAtomically(o.outDir / "slice_scores.csv", sliceCsv(r, scoreColumns(tasks)), policy); !s)
      return failOutput(s.error());
    if (auto s = writeJsonFile(o.outDir / "summary.json", summary, policy); !s) return failOutput(s.error());
  }
  if (o.json) {
    std::cout << summary.dump(2) << "\n";
  } else {
    std::cout << o.input.string() << ": " << r.slicesDone << " of " << r.slices << " slices in "
              << static_cast<int>(pipelineMs) << " ms" << (r.cancelled() ? " (cancelled)" : "") << "\n";
    if (!incomplete.is_null())
      std::cout << "  INCOMPLETE series (allowed): " << incomplete["reason"].get<std::string>() << "\n";
    const auto& study = summary["outputs"]["study"];
    for (const char* key : {"mean", "max", "top_k_mean", "attention"})
      std::cout << "  " << key << "  " << study[key].dump() << "\n";
    if (!r.study.attention.available) std::cout << "  (" << r.study.attention.reason << ")\n";
    if (!o.outDir.empty()) std::cout << "wrote " << (o.outDir / "slice_scores.csv").string() << " and summary.json\n";
  }
  if (r.cancelled())
    std::fprintf(stderr, "meridian-cli: cancelled; results for the %d slices done were kept\n", r.slicesDone);
  return r.cancelled() ? kExitCancelled : kExitOk;
}

int runVolumeExplain(const ExplainOptions& o, const model::VitModel& vit, const core::Volume& volume,
                     const nlohmann::json& incomplete) {
  auto request = explainRequest(o, vit);  // --method, --head, --class checked as for 2D images
  if (!request) return fail(request.error());
  const model::ExplainMethod method = request.value().method;
  const std::string name = o.output.filename().string();
  const auto endsWith = [&](const std::string& ext) {
    return name.size() >= ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0;
  };
  if (!endsWith(".nii") && !endsWith(".nii.gz") && !endsWith(".nrrd") && !endsWith(".mha"))
    return fail(kExitUsage, "a volume's explanation is a map volume: --out must end in .nii.gz (or .nii, .nrrd, .mha)");
  model::VolumePipelineOptions options;
  options.batchSize = o.batch;
  options.attentionMaps = true;
  options.mapMethod = method;
  options.mapHead = request.value().head;
  options.mapClass = request.value().targetClass;
  JobProgressLine line(o.input.filename().string());
  auto result = model::VolumePipeline(vit, options).run(volume, line.job());
  line.finish();
  if (!result) return fail(exitCodeFor(result.error()), o.input.string() + ": " + result.error().message);
  const auto& r = result.value();
  if (!r.attentionMap) return fail(kExitCancelled, "cancelled before the first slice was explained");
  if (auto s = io::writeVolume(*r.attentionMap, o.output, outputPolicy(o.force, {o.input})); !s)
    return failOutput(s.error());
  if (!incomplete.is_null()) {  // the map has the same hole as the series: say so beside it
    const fs::path record = o.output.string() + ".incomplete.json";
    const nlohmann::json body = {{"input", o.input.string()}, {"output", o.output.string()}, {"incomplete", incomplete}};
    if (auto s = core::writeFileAtomically(record, body.dump(2) + "\n"); !s) return failOutput(s.error());
    std::cout << "made from an INCOMPLETE series (" << incomplete["reason"].get<std::string>() << "); recorded in "
              << record.string() << "\n";
  }
  const auto& size = r.attentionMap->size();
  std::cout << "wrote " << o.output.string() << " (" << model::toString(method) << ", " << size[0] << "x" << size[1]
            << " cells x " << size[2] << " slices in the volume's space"
            << (r.cancelled() ? ", cancelled: slices done only" : "") << ")\n";
  return r.cancelled() ? kExitCancelled : kExitOk;
}

}  // namespace meridian::app
