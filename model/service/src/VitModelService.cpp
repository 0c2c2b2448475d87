// Loading a model folder and choosing where it runs.

#include "VitModelService.hpp"

#include "meridian/core/Logging.hpp"
#include "meridian/model/Precision.hpp"
#include "meridian/model/Runtime.hpp"

namespace meridian::service {

RuntimeCapabilities VitModelService::capabilities() const {
  static const model::RuntimeInfo runtime = model::initializeRuntime();
  RuntimeCapabilities c;
  c.torchVersion = runtime.torchVersion;
  c.cudaAvailable = runtime.cudaAvailable;
  c.cudaDevices = runtime.cudaDeviceCount;
  c.threads = runtime.intraOpThreads;
  const auto& bf16 = model::bf16Support();
  c.bf16Available = bf16.available;
  c.bf16Reason = bf16.reason;
  return c;
}

core::Result<DeviceState> placeModel(model::VitModel& vit, const DeviceOptions& options) {
  if (auto placed = vit.setDevice(options.device); !placed) return placed.error();
  DeviceState state;
  const auto choice = vit.setPrecision(options.bf16 ? model::Precision::BFloat16 : model::Precision::Float32);
  state.device = vit.device();
  state.precision = choice.active == model::Precision::BFloat16 ? "bf16" : "fp32";
  if (options.bf16 && choice.active != model::Precision::BFloat16) state.note = choice.reason;
  state.summary = state.device + " " + state.precision;
  return state;
}

core::Result<ModelCardView> VitModelService::loadModel(const std::filesystem::path& folder, const DeviceOptions& device) {
  (void)capabilities();  // LibTorch's threads are set once, before the first model runs
  auto loaded = model::VitModel::load(folder);  // verifies the weights' SHA-256 against the card
  if (!loaded) return loaded.error();
  auto aggregator = model::loadModelAggregator(folder);
  if (!aggregator) return aggregator.error();
  auto placed = placeModel(*loaded.value(), device);
  if (!placed) return placed.error();
  model_ = std::move(loaded).value();
  aggregator_ = std::move(aggregator).value();
  device_ = placed.value();
  card_ = makeCardView(*model_, folder);
  core::logging::get(core::logging::Layer::Model)
      ->info("model service: loaded {} ({}) on {}", card_->name, card_->folder.string(), device_.summary);
  return *card_;
}

std::optional<ModelCardView> VitModelService::loadedModel() const { return card_; }

core::Result<DeviceState> VitModelService::setDevice(const DeviceOptions& device) {
  if (auto ok = requireModel(); !ok) return ok.error();
  auto placed = placeModel(*model_, device);
  if (!placed) return placed.error();
  device_ = placed.value();
  return device_;
}

DeviceState VitModelService::deviceState() const { return device_; }

core::Status VitModelService::requireModel() const {
  if (!model_) return core::makeError(core::ErrorCode::InvalidArgument, "no model is loaded: choose a model folder first");
  return core::Ok{};
}

}  // namespace meridian::service
