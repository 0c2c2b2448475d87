// Routing of infer / explain inputs to the volume and slide pipelines, and what their
// outputs share: the model's identity, pooled scores with label names, JSON files.

#include "PipelineCommands.hpp"

#include <cstdio>

#include "CliInput.hpp"
#include "ExitCodes.hpp"
#include "PredictionJson.hpp"
#include "meridian/core/AtomicFile.hpp"
#include "meridian/core/FileHash.hpp"
#include "meridian/io/ImageSummary.hpp"
#include "meridian/model/AggregationAttentionPool.hpp"

namespace meridian::app {
namespace fs = std::filesystem;

core::Result<PipelineInput> openPipelineInput(const fs::path& input, bool allowIncomplete, const std::string& modality) {
  io::OpenInputOptions options;
  options.allowIncomplete = allowIncomplete;
  auto opened = openCliInput(input, options);
  if (!opened) return opened.error();
  PipelineInput out;
  out.incomplete = incompleteJson(opened.value());
  auto& content = opened.value().image.content;
  if (auto* slide = std::get_if<std::shared_ptr<core::SlideSource>>(&content)) {
    out.content = *slide;
    return out;
  }
  auto* volume = std::get_if<core::Volume>(&content);
  // A volume worth running slice by slice; one slice, a colour frame stack (ultrasound
  // cine) or a 2D image is the 2D path's business.
  if (volume && volume->size()[2] >= 2 && volume->channels() == 1) {
    if (volume->modality.empty()) volume->modality = modality;
    else if (!modality.empty() && modality != volume->modality)
      return core::makeError(core::ErrorCode::InvalidArgument,
                             "--modality " + modality + ": " + input.string() + " says it is " + volume->modality);
    out.content = std::move(*volume);
    return out;
  }
  auto image = io::representativeImage(opened.value().image);
  if (!image) return image.error();
  out.image = std::move(image).value();
  if (out.image.modality.empty()) out.image.modality = modality;
  else if (!modality.empty() && modality != out.image.modality)
    return core::makeError(core::ErrorCode::InvalidArgument,
                           "--modality " + modality + ": " + input.string() + " says it is " + out.image.modality);
  return out;
}

std::optional<int> runPipelineInfer(const InferOptions& o, const model::VitModel& vit, double loadMs,
                                    const PipelineInput& input) {
  if (auto* volume = std::get_if<core::Volume>(&input.content)) return runVolumeInfer(o, vit, *volume, loadMs, input.incomplete);
  if (auto* slide = std::get_if<std::shared_ptr<core::SlideSource>>(&input.content))
    return runSlideInfer(o, vit, **slide, loadMs);
  return std::nullopt;
}

std::optional<int> runPipelineExplain(const ExplainOptions& o, const model::VitModel& vit, const PipelineInput& input) {
  if (auto* volume = std::get_if<core::Volume>(&input.content)) return runVolumeExplain(o, vit, *volume, input.incomplete);
  if (auto* slide = std::get_if<std::shared_ptr<core::SlideSource>>(&input.content))
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
