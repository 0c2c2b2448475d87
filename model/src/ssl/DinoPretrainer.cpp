#include "meridian/model/Pretrainer.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>
#include <thread>

#include "../ScopedIntraOpThreads.hpp"
#include "../TensorIo.hpp"
#include "DinoCheckpoint.hpp"
#include "DinoStep.hpp"
#include "meridian/core/AtomicFile.hpp"
#include "meridian/core/Logging.hpp"
#include "meridian/model/Runtime.hpp"

namespace meridian::model {

struct DinoPretrainer::Impl {
  std::unique_ptr<ssl::DinoState> state;
  int threads = -1;  // setThreads
};

namespace {

// A scratch folder for handing weights to and from VitModel through its public save/load.
class ScratchDir {
 public:
  ScratchDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("meridian-dino-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

core::Result<TensorMap> backboneWeightsOf(const VitModel& model) {
  ScratchDir scratch;
  auto saved = model.save(scratch.path());
  if (!saved) return saved.error();
  for (const auto& entry : std::filesystem::directory_iterator(scratch.path()))
    if (entry.path().extension() == ".safetensors") {
      auto tensors = loadSafeTensors(entry.path());
      if (!tensors) return tensors.error();
      TensorMap backbone;
      for (auto& [name, t] : tensors.value())
        if (name.rfind("head.", 0) != 0) backbone.emplace(name, t);  // the classifier is not pretrained
      return backbone;
    }
  return core::makeError(core::ErrorCode::Internal, "the model folder holds no weights file");
}

core::Status joinGroup(ssl::DinoState& state, const DistributedConfig& distributed) {
  state.distributed = distributed;
  if (!distributed.enabled()) return core::Ok{};
  if (state.options.batchSize % distributed.worldSize != 0)
    return core::makeError(core::ErrorCode::InvalidArgument, "the batch size " + std::to_string(state.options.batchSize) +
                                                                 " must be a multiple of WORLD_SIZE " +
                                                                 std::to_string(distributed.worldSize));
  auto group = train::DistributedGroup::join(distributed);
  if (!group) return group.error();
  state.group = std::move(group).value();
  // Every replica starts from rank 0's weights (and centre), as DistributedDataParallel does.
  std::vector<at::Tensor> shared;
  for (auto* list : {&state.studentParameters, &state.teacherParameters})
    for (auto& [name, p] : *list) shared.push_back(p);
  shared.push_back(state.loss->center());
  torch::NoGradGuard noGrad;
  state.group->broadcastFromRankZero(shared);
  return core::Ok{};
}

constexpr const char* kLossLogHeader =
    "step,epoch,loss,dino_loss,memory_loss,lr,momentum,teacher_temp,target_entropy,kl,teacher_std,center_norm,grad_norm";

// A run resumed from a checkpoint appends to its loss log. A log begun by an older Meridian
// has fewer columns; it is rewritten once (atomically) under today's header, its old rows
// padded with empty fields, so the file stays one table a spreadsheet or pandas reads.
core::Status upgradeLossLog(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string header;
  if (!std::getline(in, header) || header == kLossLogHeader) return core::Ok{};
  const auto columns = [](const std::string& line) { return std::count(line.begin(), line.end(), ',') + 1; };
  const auto missing = columns(kLossLogHeader) - columns(header);
  if (missing <= 0)
    return core::makeError(core::ErrorCode::InvalidArgument,
                           path.string() + ": not a DINO loss log (unexpected header: " + header + ")");
  std::string rewritten = std::string(kLossLogHeader) + "\n";
  for (std::string row; std::getline(in, row);)
    if (!row.empty()) rewritten += row + std::string(static_cast<std::size_t>(missing), ',') + "\n";
  if (in.bad()) return core::makeError(core::ErrorCode::Io, path.string() + ": cannot read the loss log");
  return core::writeFileAtomically(path, rewritten);
}

std::string formatLoss(double value) {
  std::ostringstream out;
  out.precision(9);
  out << value;
  return out.str();
}

}  // namespace

DinoPretrainer::DinoPretrainer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DinoPretrainer::~DinoPretrainer() = default;

core::Result<std::unique_ptr<DinoPretrainer>> DinoPretrainer::create(const VitModel& backbone,
                                                                     const DinoOptions& options,
                                                                     const std::vector<core::Image2D>& images,
                                                                     const DistributedConfig& distributed) {
  initializeRuntime();
  auto weights = backboneWeightsOf(backbone);
  if (!weights) return weights.error();
  auto state = ssl::buildDinoState(backbone.config(), backbone.preprocessConfig(), weights.value(), options, images);
  if (!state) return state.error();
  auto joined = joinGroup(*state.value(), distributed);
  if (!joined) return joined.error();
  auto impl = std::make_unique<Impl>();
  impl->state = std::move(state).value();
  return std::unique_ptr<DinoPretrainer>(new DinoPretrainer(std::move(impl)));
}

core::Result<std::unique_ptr<DinoPretrainer>> DinoPretrainer::resume(const std::filesystem::path& checkpointPath,
                                                                     const DinoOptions& options,
                                                                     const std::vector<core::Image2D>& images,
                                                                     const DistributedConfig& distributed) {
  initializeRuntime();
  auto checkpoint = ssl::readDinoCheckpoint(checkpointPath);
  if (!checkpoint) return checkpoint.error();
  const auto& saved = checkpoint.value();
  const bool sameData = options.dataSha256 == saved.options.dataSha256;
  DinoOptions effective = options;
  if (sameData) {  // an exact resume: the run's own hyper-parameters, only the stop point is new
    effective = saved.options;
    effective.stopAfterSteps = options.stopAfterSteps;
    effective.checkpointEvery = options.checkpointEvery;
  }
  auto state = ssl::buildDinoState(saved.vit, saved.preprocess,
                                   ssl::backboneWeights(saved.tensors, "student.backbone."), effective, images);
  if (!state) return state.error();
  auto restored = ssl::restoreDinoState(*state.value(), saved, sameData);
  if (!restored)
    return core::makeError(restored.error().code, checkpointPath.string() + ": " + restored.error().message);
  core::logging::get(core::logging::Layer::Model)
      ->info("DINO: {} from {} at step {}",
             sameData ? "resuming" : "continual pretraining on new data (fresh schedule)", checkpointPath.string(),
             state.value()->step);
  auto joined = joinGroup(*state.value(), distributed);
  if (!joined) return joined.error();
  auto impl = std::make_unique<Impl>();
  impl->state = std::move(state).value();
  return std::unique_ptr<DinoPretrainer>(new DinoPretrainer(std::move(impl)));
}

core::Result<PretrainSummary> DinoPretrainer::run(const core::JobControl& job, const std::filesystem::path& checkpoint,
                                                  const std::filesystem::path& lossCsv) {
  auto& state = *impl_->state;
  const auto& o = state.options;
  const ScopedIntraOpThreads computeThreads(threads());
  const bool writer = !state.group || state.group->rank() == 0;
  PretrainSummary summary;
  summary.totalSteps = state.totalSteps;
  std::ofstream csv;
  if (writer && !lossCsv.empty()) {
    const bool fresh = !std::filesystem::exists(lossCsv) || std::filesystem::file_size(lossCsv) == 0;
    if (!fresh)
      if (auto upgraded = upgradeLossLog(lossCsv); !upgraded) return upgraded.error();
    csv.open(lossCsv, std::ios::app);
    if (!csv) return core::makeError(core::ErrorCode::Io, lossCsv.string() + ": cannot open for writing");
    if (fresh) csv << kLossLogHeader << '\n';
  }
  auto save = [&]() -> core::Status {
    if (!writer || checkpoint.empty()) return core::Ok{};
    auto status = ssl::saveDinoCheckpoint(state, checkpoint);
    if (status) summary.checkpoint = checkpoint;
    return status;
  };

  const auto started = std::chrono::steady_clock::now();
  const auto firstStep = state.step;
  while (state.step < state.totalSteps) {
    if (o.stopAfterSteps > 0 && state.step >= o.stopAfterSteps) break;
    if (job.cancelled()) {
      summary.ended = core::makeError(core::ErrorCode::Cancelled, "pretraining cancelled");
      break;
    }
    ssl::DinoStepResult result;
    try {
      result = ssl::dinoStep(state);
    } catch (const std::exception& e) {
      return core::makeError(core::ErrorCode::Internal, std::string("DINO step failed: ") + e.what());
    }
    if (!result.finite) {
      summary.diverged = true;
      summary.steps = state.step;
      summary.message = "the loss became non-finite at step " + std::to_string(state.step + 1) +
                        "; training stopped. " +
                        (summary.checkpoint.empty() && !std::filesystem::exists(checkpoint)
                             ? std::string("No checkpoint was written before it.")
                             : "The last good checkpoint is kept: " + checkpoint.string()) +
                        " (lower the learning rate or raise the teacher temperature)";
      if (std::filesystem::exists(checkpoint)) summary.checkpoint = checkpoint;
      return summary;
    }
    summary.lastLoss = result.loss;
    const auto epoch = (state.step - 1) / state.stepsPerEpoch;
    if (csv.is_open()) {
      csv << state.step << ',' << epoch << ',' << formatLoss(result.loss) << ',' << formatLoss(result.dinoLoss) << ','
          << formatLoss(result.memoryLoss) << ',' << result.schedule.learningRate << ',' << result.schedule.momentum
          << ',' << result.schedule.teacherTemperature << ',' << result.diagnostics.targetEntropy << ','
          << result.diagnostics.klDivergence << ',' << result.diagnostics.teacherSpread << ','
          << result.diagnostics.centerNorm << ',' << result.diagnostics.gradientNorm << '\n'
          << std::flush;
      // An appended log cannot be written atomically, but a failed append is still an error
      // (a full disk used to end the run with exit 0 and a log cut short).
      if (!csv)
        return core::makeError(core::ErrorCode::Io, lossCsv.string() + ": cannot append to the loss log (disk full?)");
    }
    const bool epochEnd = state.step % state.stepsPerEpoch == 0;
    const bool periodic = o.checkpointEvery > 0 && state.step % o.checkpointEvery == 0;
    if (epochEnd || periodic) {
      auto saved = save();
      if (!saved)
        return core::makeError(saved.error().code,
                               "checkpoint not written (the previous one is intact): " + saved.error().message);
    }
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    core::JobProgress progress;
    progress.stage = "dino epoch " + std::to_string(epoch + 1) + "/" + std::to_string(o.epochs);
    progress.done = static_cast<std::size_t>(state.step);
    progress.total = static_cast<std::size_t>(state.totalSteps);
    progress.etaSeconds =
        elapsed / static_cast<double>(state.step - firstStep) * static_cast<double>(state.totalSteps - state.step);
    progress.detail = "loss " + formatLoss(result.loss);
    job.report(progress);
  }
  summary.steps = state.step;
  summary.finished = state.step >= state.totalSteps;
  auto saved = save();
  if (!saved)
    return core::makeError(saved.error().code,
                           "checkpoint not written (the previous one is intact): " + saved.error().message);
  summary.message = summary.cancelled() ? "cancelled at step " + std::to_string(state.step) + "; checkpoint written"
                    : summary.finished ? "finished " + std::to_string(state.step) + " steps"
                                       : "stopped at step " + std::to_string(state.step) + " as asked";
  return summary;
}

core::Result<std::unique_ptr<VitModel>> DinoPretrainer::teacherBackbone() const {
  const auto& state = *impl_->state;
  ScratchDir scratch;
  TensorMap tensors;
  for (const auto& [name, p] : state.teacherParameters)
    if (name.rfind("backbone.", 0) == 0) tensors.emplace(name.substr(9), p.detach());
  const auto file = scratch.path() / "teacher.safetensors";
  auto status = saveSafeTensors(file, tensors, {{"format", "pt"}});
  if (!status) return status.error();
  return VitModel::load(file, state.vit, WeightLayout::Timm, state.preprocess);
}

core::Status DinoPretrainer::exportBackbone(const std::filesystem::path& directory, const ModelCard& card) const {
  auto model = teacherBackbone();
  if (!model) return model.error();
  model.value()->setCard(card);
  return model.value()->save(directory);
}

std::string DinoPretrainer::weightsSha256() const {
  return ssl::parametersSha256(*impl_->state);
}

const DinoOptions& DinoPretrainer::options() const {
  return impl_->state->options;
}

std::int64_t DinoPretrainer::step() const {
  return impl_->state->step;
}

void DinoPretrainer::setThreads(int threads) {
  impl_->threads = std::max(-1, threads);
}

int DinoPretrainer::threads() const {
  const auto& state = *impl_->state;
  const int wanted = impl_->threads;
  if (wanted > 0) return wanted;
  if (wanted == 0) return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int side = state.augmenter->settings().globalSize / state.vit.patchSize;
  return side * side <= 64 ? 1 : intraOpThreads();
}

}  // namespace meridian::model
