// ModelService::explain: one case's explanation map (CLS attention mean or one head,
// rollout, gradient-weighted attention for the predicted or a chosen class), written under
// the maps folder and recorded as a prediction beside the case's inference.

#include <algorithm>

#include <nlohmann/json.hpp>

#include "CaseInput.hpp"
#include "MapFiles.hpp"
#include "VitModelService.hpp"
#include "meridian/model/AttentionMapGeometry.hpp"
#include "meridian/model/Runtime.hpp"
#include "meridian/model/SlidePipeline.hpp"
#include "meridian/model/VolumePipeline.hpp"
#include "meridian/project/ProjectStore.hpp"

namespace meridian::service {
namespace {

model::ExplainMethod toModel(ExplainKind kind) {
  switch (kind) {
    case ExplainKind::ClsAttention: return model::ExplainMethod::ClsAttention;
    case ExplainKind::Rollout: return model::ExplainMethod::Rollout;
    case ExplainKind::GradientAttention: return model::ExplainMethod::GradientAttention;
  }
  return model::ExplainMethod::ClsAttention;
}

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

}  // namespace

core::Result<ExplainResult> VitModelService::explain(project::ProjectStore& store, const ExplainRequest& request,
                                                     const core::JobControl& job) {
  if (auto ok = requireModel(); !ok) return ok.error();
  model::applyIntraOpThreads();  // this job thread's LibTorch threads: the window leaves its UI a core
  auto usage = [](const std::string& what) { return core::makeError(core::ErrorCode::InvalidArgument, what); };
  // The choice checked against the model before any file is read.
  if (request.head >= 0 && request.method != ExplainKind::ClsAttention)
    return usage("a head can be chosen for CLS attention only (rollout and gradient-weighted attention average the heads)");
  if (request.head >= card_->heads)
    return usage("head " + std::to_string(request.head) + ": the model has " + std::to_string(card_->heads) +
                 " heads (0.." + std::to_string(card_->heads - 1) + ")");
  int targetClass = -1;
  if (!request.className.empty()) {
    if (request.method != ExplainKind::GradientAttention)
      return usage("a class can be chosen for gradient-weighted attention only (CLS attention and rollout do not depend on one)");
    for (std::size_t i = 0; i < card_->labels.size(); ++i)
      if (card_->labels[i] == request.className) targetClass = static_cast<int>(i);
    if (targetClass < 0)
      return usage("'" + request.className + "' is not one of the model's labels: " + joined(card_->labels));
  }
  if (request.method == ExplainKind::GradientAttention && card_->labels.empty())
    return usage("gradient-weighted attention needs a classification head; this model has none (use CLS attention or rollout)");
  if (store.isReadOnly())
    return core::makeError(core::ErrorCode::Io, store.folder().string() + " is open read-only: the map cannot be stored");

  auto record = store.getCase(request.caseId);
  if (!record) return record.error();
  auto input = recent_.open(record.value());
  if (!input) return input.error();
  const model::ExplainMethod method = toModel(request.method);
  core::Volume map;
  if (auto* image = std::get_if<core::Image2D>(&input.value().content)) {
    if (auto kind = model_->checkInputKind(*image, image->modality); !kind)
      return core::makeError(kind.error().code, "case " + std::to_string(request.caseId) + ": " + kind.error().message);
    job.report({"explaining", 0, 1, -1, ""});
    auto explained = model_->explain(*image, method, targetClass);
    if (!explained) return explained.error();
    auto volume = model::toMapVolume(explained.value(), request.head);
    if (!volume) return volume.error();
    map = std::move(volume).value();
  } else if (auto* volume = std::get_if<core::Volume>(&input.value().content)) {
    model::VolumePipelineOptions options;
    options.batchSize = std::max(1, request.batchSize);
    options.attentionMaps = true;
    options.mapMethod = method;
    options.mapClass = targetClass;
    options.mapHead = request.head;
    auto result = model::VolumePipeline(*model_, options).run(*volume, job);
    if (!result) return result.error();
    if (result.value().cancelled()) return result.value().ended.error();
    if (!result.value().attentionMap) return core::makeError(core::ErrorCode::Internal, "the volume pipeline made no map");
    map = std::move(*result.value().attentionMap);
  } else {
    const auto& slide = *std::get<std::shared_ptr<core::SlideSource>>(input.value().content);
    model::SlidePipelineOptions options;
    options.micronsPerPixel = request.slideMicronsPerPixel;
    options.batchSize = std::max(1, request.batchSize);
    options.attentionMaps = true;
    options.mapMethod = method;
    options.mapClass = targetClass;
    options.mapHead = request.head;
    auto result = model::SlidePipeline(*model_, options).run(slide, job);
    if (!result) return result.error();
    if (result.value().cancelled()) return result.value().ended.error();
    if (!result.value().attentionMap) return core::makeError(core::ErrorCode::Internal, "the slide pipeline made no map");
    map = std::move(*result.value().attentionMap);
  }

  ExplainResult out;
  out.caseId = request.caseId;
  switch (request.method) {
    case ExplainKind::ClsAttention:
      out.description = "CLS attention, " + (request.head < 0 ? std::string("mean of heads") : "head " + std::to_string(request.head));
      break;
    case ExplainKind::Rollout: out.description = "attention rollout"; break;
    case ExplainKind::GradientAttention:
      out.description = "gradient-weighted attention for " +
                        (targetClass < 0 ? std::string("the predicted class") : "'" + request.className + "'");
      break;
  }
  auto mapFile = newMapFile(store, request.caseId, toString(request.method));
  if (!mapFile) return mapFile.error();
  if (auto written = writeMapFile(store, mapFile.value(), map); !written) return written.error();
  project::ModelRun run;
  run.task = "explanation";
  run.modelName = card_->name;
  run.weightsSha256 = card_->weightsSha256;
  run.parametersJson = nlohmann::json{{"method", toString(request.method)}, {"head", request.head},
                                      {"class", request.className}, {"device", device_.summary}}
                           .dump();
  auto runId = store.startModelRun(run);
  if (!runId) return runId.error();
  project::Prediction stored;
  stored.caseId = request.caseId;
  stored.runId = runId.value();
  stored.weightsSha256 = card_->weightsSha256;
  stored.outputsJson = nlohmann::json{{"kind", "explanation"},
                                      {"method", toString(request.method)},
                                      {"head", request.head},
                                      {"class", request.className},
                                      {"description", out.description},
                                      {"model", {{"name", card_->name}, {"sha256", card_->weightsSha256}}}}
                           .dump();
  stored.mapFile = mapFile.value();
  auto id = store.addPrediction(stored);
  (void)store.finishModelRun(runId.value(), id ? "succeeded" : "failed");
  if (!id) return id.error();
  out.predictionId = id.value();
  out.mapFile = mapFile.value();
  out.mapPath = store.folder() / mapFile.value();
  out.map = std::move(map);
  return out;
}

}  // namespace meridian::service
