// Routing of infer / explain inputs to the volume and slide pipelines, and what their
// outputs share: the model's identity, pooled scores with label names, JSON files.

#include "PipelineCommands.hpp"

#include <cstdio>

#include "ExitCodes.hpp"
#include "PredictionJson.hpp"
#include "meridian/core/AtomicFile.hpp"
#include "meridian/core/FileHash.hpp"
#include "meridian/io/DicomSeries.hpp"
#include "meridian/io/ReaderRegistry.hpp"
#include "meridian/model/AggregationAttentionPool.hpp"

namespace meridian::app {
namespace fs = std::filesystem;

core::Result<PipelineInput> openPipelineInput(const fs::path& input) {
  std::error_code ec;
  core::Volume volume;
  if (fs::is_directory(input, ec)) {
    auto index = io::indexDicomFolder(input);
    if (!index) return index.error();
    if (index.value().size() != 1)
      return core::makeError(core::ErrorCode::Unsupported, input.string() + ": holds " +
                                                               std::to_string(index.value().size()) +
                                                               " DICOM series; point at one series folder");
    auto series = io::loadDicomSeries(index.value().front());
    if (!series) return series.error();
    for (const auto& warning : series.value().warnings) std::fprintf(stderr, "meridian-cli: %s\n", warning.c_str());
    volume = std::move(series.value().volume);
  } else {
    auto opened = io::ReaderRegistry::builtin().open(input);
    if (!opened) return opened.error();
    auto& content = opened.value().content;
    if (auto* slide = std::get_if<std::shared_ptr<core::SlideSource>>(&content)) return PipelineInput(*slide);
    auto* v = std::get_if<core::Volume>(&content);
    if (!v) return PipelineInput(std::monostate{});
    volume = std::move(*v);
  }
  // One slice, or a colour frame stack (ultrasound cine): the 2D path's business.
  if (volume.size()[2] < 2 || volume.channels() != 1) return PipelineInput(std::monostate{});
  return PipelineInput(std::move(volume));
}

std::optional<int> runPipelineInfer(const InferOptions& o, const model::VitModel& vit, double loadMs) {
  auto input = openPipelineInput(o.input);
  if (!input) {
    std::fprintf(stderr, "meridian-cli: %s\n", input.error().message.c_str());
    return kExitBadInput;
  }
  if (auto* volume = std::get_if<core::Volume>(&input.value())) return runVolumeInfer(o, vit, *volume, loadMs);
  if (auto* slide = std::get_if<std::shared_ptr<core::SlideSource>>(&input.value()))
    return runSlideInfer(o, vit, **slide, loadMs);
  return std::nullopt;
}

std::optional<int> runPipelineExplain(const ExplainOptions& o, const model::VitModel& vit) {
  auto input = openPipelineInput(o.input);
  if (!input) {
    std::fprintf(stderr, "meridian-cli: %s\n", input.error().message.c_str());
    return kExitBadInput;
  }
  if (auto* volume = std::get_if<core::Volume>(&input.value())) return runVolumeExplain(o, vit, *volume);
  if (auto* slide = std::get_if<std::shared_ptr<core::SlideSource>>(&input.value()))
    return runSlideExplain(o, vit, **slide);
  return std::nullopt;
}

nlohmann::json modelJson(const model::VitModel& vit, const fs::path& modelDir) {
  const auto& card = vit.card();
  std::string sha = card.provenance.weightsSha256;
  if (sha.empty()) {
    auto hash = core::sha256OfFile(model::modelWeightsFile(modelDir));
    if (hash) sha = hash.value();
  }
  return {{"name", card.name.empty() ? fs::absolute(modelDir).lexically_normal().filename().string() : card.name},
          {"sha256", sha}};
}

nlohmann::json aggregationJson(const model::VitModel& vit, const model::ScoreAggregation& a) {
  const auto tasks = effectiveTasks(vit.card(), a.mean.size());
  nlohmann::json out = {{"mean", taskOutputs(tasks, a.mean)},
                        {"max", taskOutputs(tasks, a.max)},
                        {"top_k_mean", taskOutputs(tasks, a.topKMean)},
                        {"top_k", a.topK}};
  if (a.attention.available) {
    out["attention"] =
        taskOutputs(effectiveTasks(vit.card(), a.attention.probabilities.size()), a.attention.probabilities);
  } else {
    out["attention"] = nullptr;
    out["attention_note"] = a.attention.reason;
  }
  return out;
}

core::Status writeJsonFile(const fs::path& path, const nlohmann::json& json, const core::OutputPolicy& policy) {
  return core::writeFileAtomically(path, json.dump(2) + "\n", policy);
}

core::Result<std::unique_ptr<model::AttentionPool>> loadAggregator(const fs::path& modelDir) {
  return model::loadModelAggregator(modelDir);
}

}  // namespace meridian::app
