// trainFromProject and acceptModel (ProjectTraining.hpp): the model's trainer and DINO
// pretrainer driven from a project, the result folder built aside and renamed into place.

#include <algorithm>
#include <ctime>
#include <limits>
#include <nlohmann/json.hpp>

#include "TrainingResultJson.hpp"
#include "meridian/core/FileHash.hpp"
#include "meridian/io/ImageSummary.hpp"
#include "meridian/io/InputOpener.hpp"
#include "meridian/model/EmbeddingCache.hpp"
#include "meridian/model/Pretrainer.hpp"
#include "meridian/model/VitModel.hpp"
#include "meridian/project/ProjectImport.hpp"
#include "meridian/service/ProjectTraining.hpp"

namespace meridian::service {

namespace fs = std::filesystem;
namespace metrics = model::metrics;

namespace {

constexpr std::size_t kBandGridPoints = 51;

std::string utcStamp(const char* format) {
  const auto now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, format, &tm);
  return text;
}

/// The case's picture as the model sees it: a 2D image, a volume's middle slice, a slide's overview.
model::ImageLoader caseLoader(const TrainingTask& task) {
  return [seriesOf = task.seriesOf](const fs::path& path) -> core::Result<core::Image2D> {
    io::OpenInputOptions options;
    if (auto it = seriesOf.find(path.string()); it != seriesOf.end()) options.seriesUid = it->second;
    auto opened = io::openInput(path, options);
    if (!opened) return opened.error();
    return io::representativeImage(opened.value().image);
  };
}

/// The series rows' content hashes are the digests the project recorded; refuses a series
/// whose files changed since (a stale cached embedding would be trained on otherwise).
core::Status checkSeriesDigests(const project::ProjectStore& store, const TrainingTask& task) {
  for (std::size_t i = 0; i < task.labels.images.size(); ++i) {
    const auto& row = task.labels.images[i];
    if (row.contentSha256.empty()) continue;
    auto record = store.getCase(task.caseIds[i]);
    if (!record) return record.error();
    std::vector<project::CaseFile> now = record.value().files;
    for (auto& file : now) {
      auto hash = core::sha256OfFile(file.path);
      if (!hash)
        return core::makeError(hash.error().code, "case " + std::to_string(record.value().id) + ": a file of its series cannot be read: " +
                                                      hash.error().message);
      file.sha256 = hash.value();
    }
    if (project::seriesDigest(now) != row.contentSha256)
      return core::makeError(core::ErrorCode::InvalidArgument,
                             "case " + std::to_string(record.value().id) + " (" + record.value().path +
                                 "): the series' files changed since it was added to the project; check the project's "
                                 "cases and add the series again");
  }
  return core::Ok{};
}

/// ROC curves (with bands) and calibration bins of the held-out scores.
core::Status addCurves(const model::TrainReport& report, const model::TrainOptions& options, TrainingResult& out) {
  const auto& labels = report.heldOut.labels;
  const int classes = static_cast<int>(labels.size());
  for (int c = classes == 2 ? 1 : 0; c < classes; ++c) {
    ClassRoc roc;
    roc.label = labels[static_cast<std::size_t>(c)];
    const auto scores = metrics::column(report.heldOutScores, c);
    auto curve = metrics::rocCurve(scores, report.heldOutLabels, c);
    if (!curve) return curve.error();
    roc.curve = std::move(curve).value();
    auto band = metrics::rocBootstrapBand(scores, report.heldOutLabels, c, kBandGridPoints, options.evaluation.bootstrap);
    if (!band) return band.error();
    roc.band = std::move(band).value();
    auto auroc = metrics::binaryAuroc(scores, report.heldOutLabels, c);
    roc.auroc = auroc ? auroc.value() : 0.0;
    out.roc.push_back(std::move(roc));
  }
  auto bins = metrics::calibrationBins(report.heldOutScores, report.heldOutLabels, options.evaluation.calibrationBins);
  if (!bins) return bins.error();
  out.calibration = std::move(bins).value();
  return core::Ok{};
}

core::Result<model::TrainReport> trainSupervised(const TrainingTask& task, const TrainingRequest& request,
                                                 model::TrainOptions options, const fs::path& staging,
                                                 const fs::path& cacheDir, const core::JobControl& job) {
  const model::EmbeddingCache cache(cacheDir);
  return model::trainModel(request.baseModel, task.labels, staging, options, caseLoader(task), &cache, job);
}

/// Continued DINO pretraining on the unlabelled cases; resumes from the staging folder's
/// checkpoint when a cancelled run left one.
core::Result<model::ModelCard> pretrain(const project::ProjectStore& store, const TrainingTask& task,
                                        const TrainingRequest& request, const fs::path& staging,
                                        const model::EpochCallback& onEpoch, const core::JobControl& job) {
  if (task.unlabelled.size() < 2)
    return core::makeError(core::ErrorCode::InvalidArgument,
                           "continued pretraining learns from the project's unlabelled cases, and it has " +
                               std::to_string(task.unlabelled.size()) + ": add cases (or remove labels) first");
  std::vector<core::Image2D> images;
  std::vector<std::string> lines;
  const auto load = caseLoader(task);
  for (std::size_t i = 0; i < task.unlabelled.size(); ++i) {
    if (job.cancelled()) return core::makeError(core::ErrorCode::Cancelled, "training cancelled");
    auto c = store.getCase(task.unlabelled[i]);
    if (!c) return c.error();
    auto image = load(c.value().path);
    if (!image) return core::makeError(image.error().code, "case " + std::to_string(c.value().id) + ": " + image.error().message);
    images.push_back(std::move(image).value());
    lines.push_back(c.value().sha256);
    job.report({"loading images", i + 1, task.unlabelled.size(), -1, ""});
  }
  std::sort(lines.begin(), lines.end());
  std::string joined;
  for (const auto& l : lines) joined += l + "\n";
  auto options = request.dino;
  options.dataSha256 = core::sha256OfBytes(joined);
  options.seed = request.options.seed;
  const fs::path checkpoint = staging / "checkpoint.safetensors";
  std::error_code ec;
  std::unique_ptr<model::DinoPretrainer> trainer;
  auto base = model::VitModel::load(request.baseModel);
  if (!base) return base.error();
  if (fs::exists(checkpoint, ec)) {
    auto resumed = model::DinoPretrainer::resume(checkpoint, options, images);
    if (!resumed) return resumed.error();
    trainer = std::move(resumed).value();
  } else {
    auto created = model::DinoPretrainer::create(*base.value(), options, images);
    if (!created) return created.error();
    trainer = std::move(created).value();
  }
  auto summary = trainer->run(job, checkpoint, staging / "dino-loss.csv");
  if (!summary) return summary.error();
  const auto& s = summary.value();
  if (!s.ended) return s.ended.error();
  if (onEpoch) onEpoch({options.epochs, options.epochs, s.lastLoss, std::numeric_limits<double>::quiet_NaN(), 0});
  model::ModelCard card;
  card.name = request.name;
  card.modality = base.value()->card().modality;
  auto& p = card.provenance;
  p.baseModel = base.value()->card().name;
  p.baseModelSha256 = base.value()->card().provenance.weightsSha256;
  p.method = "dino";
  p.trainingDataSha256 = options.dataSha256;
  p.trainingImages = images.size();
  p.split = "none (self-supervised, the project's unlabelled cases)";
  p.seed = options.seed;
  p.hyperParameters = options.toMap();
  p.hyperParameters["steps"] = std::to_string(s.steps) + "/" + std::to_string(s.totalSteps);
  p.createdWith = "meridian project training";
  p.createdAt = utcStamp("%Y-%m-%dT%H:%M:%SZ");
  p.notes = "DINO continued pretraining; the exported backbone is the EMA teacher. " + s.message;
  if (auto exported = trainer->exportBackbone(staging / "model", card); !exported) return exported.error();
  auto written = model::VitModel::load(staging / "model");
  if (!written) return written.error();
  return written.value()->card();
}

}  // namespace

core::Result<TrainingResult> trainFromProject(project::ProjectStore& store, const TrainingRequest& requestIn,
                                              const model::EpochCallback& onEpoch, const core::JobControl& job) {
  TrainingRequest request = requestIn;
  const std::string method = request.pretrain ? "dino" : model::toString(request.options.method);
  if (request.name.empty()) request.name = method + "-" + utcStamp("%Y%m%d-%H%M%S");
  if (request.name.find('/') != std::string::npos || request.name.front() == '.')
    return core::makeError(core::ErrorCode::InvalidArgument,
                           "model name '" + request.name + "' cannot be a folder name: use letters, digits and dashes");
  auto task = trainingTask(store);
  if (!task) return task.error();
  TrainingResult result;
  result.method = method;
  if (!request.pretrain) {  // refused before anything is written
    auto split = previewSplit(task.value(), request.options.valFraction, request.options.seed);
    if (!split) return split.error();
    result.split = std::move(split).value();
    if (auto fresh = checkSeriesDigests(store, task.value()); !fresh) return fresh.error();
  }
  const fs::path models = store.modelsFolder();
  const fs::path final = models / request.name;
  const fs::path staging = models / (".incomplete-" + request.name);
  std::error_code ec;
  if (fs::exists(final, ec))
    return core::makeError(core::ErrorCode::InvalidArgument,
                           "the project already has a model named '" + request.name + "': choose another name");
  auto base = model::VitModel::load(request.baseModel);
  if (!base) return base.error();
  if (store.isReadOnly())
    return core::makeError(core::ErrorCode::Io, "the project is open read-only: training would have nowhere to save");

  nlohmann::json parameters{{"method", method}, {"name", request.name}, {"base_model", request.baseModel.string()},
                            {"seed", request.options.seed}, {"held_out_fraction", request.options.valFraction}};
  auto run = store.startModelRun({0, "training", base.value()->card().name,
                                  base.value()->card().provenance.weightsSha256, parameters.dump(), "", "", ""});
  if (!run) return run.error();
  auto finish = [&](const core::Error& error) -> core::Error {
    if (error.code != core::ErrorCode::Cancelled || !request.pretrain) fs::remove_all(staging, ec);  // DINO keeps its checkpoint to resume
    (void)store.finishModelRun(run.value(), error.code == core::ErrorCode::Cancelled ? "cancelled" : "failed");
    return error;
  };
  if (!request.pretrain) fs::remove_all(staging, ec);  // a crashed run's leftovers
  fs::create_directories(staging, ec);
  if (ec) return finish(core::makeError(core::ErrorCode::Io, "cannot create " + staging.string() + ": " + ec.message()));

  model::EpochCallback record = [&](const model::EpochRecord& epoch) {
    result.epochs.push_back(epoch);
    if (onEpoch) onEpoch(epoch);
  };
  fs::path modelDir = staging;
  if (request.pretrain) {
    auto card = pretrain(store, task.value(), request, staging, record, job);
    if (!card) return finish(card.error());
    result.card = std::move(card).value();
    // The exported backbone becomes the folder; the checkpoint and loss log stay beside it.
    modelDir = staging / "model";
  } else {
    auto options = request.options;
    options.modelName = request.name;
    options.createdWith = "meridian project training";
    options.onEpoch = record;
    auto report = trainSupervised(task.value(), request, options, staging, store.folder() / "cache" / "embeddings", job);
    if (!report) return finish(report.error());
    result.card = report.value().card;
    result.heldOut = report.value().heldOut;
    result.note = report.value().trainingNote;
    if (auto curves = addCurves(report.value(), options, result); !curves) return finish(curves.error());
  }
  result.relativeFolder = "models/" + request.name;
  result.modelFolder = final;
  if (auto written = writeTrainingResult(result, modelDir / kTrainingResultFile); !written) return finish(written.error());
  if (request.pretrain) {
    fs::rename(modelDir, final, ec);
    if (!ec) fs::remove_all(staging, ec);
  } else {
    fs::rename(staging, final, ec);
  }
  if (ec) return finish(core::makeError(core::ErrorCode::Io, "cannot move the new model into " + final.string() + ": " + ec.message()));
  (void)store.finishModelRun(run.value(), "succeeded");
  return result;
}

core::Result<project::AcceptedModel> acceptModel(project::ProjectStore& store, const fs::path& modelFolder) {
  const fs::path folder = modelFolder.is_absolute() ? modelFolder : store.folder() / modelFolder;
  auto loaded = model::VitModel::load(folder);  // refuses weights that do not match their SHA-256
  if (!loaded) return loaded.error();
  project::AcceptedModel accepted;
  const auto relative = folder.lexically_normal().lexically_relative(store.folder().lexically_normal());
  const bool inside = !relative.empty() && *relative.begin() != "..";
  accepted.folder = inside ? relative.generic_string() : folder.lexically_normal().string();
  accepted.name = loaded.value()->card().name;
  accepted.weightsSha256 = loaded.value()->card().provenance.weightsSha256;
  if (auto saved = store.acceptModel(accepted); !saved) return saved.error();
  auto active = store.activeModel();
  if (!active) return active.error();
  return *active.value();
}

}  // namespace meridian::service
