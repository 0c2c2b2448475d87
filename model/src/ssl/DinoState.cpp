#include "DinoState.hpp"

#include <torch/nn/module.h>

#include <algorithm>
#include <cmath>

#include "meridian/core/FileHash.hpp"
#include "meridian/model/Preprocessor.hpp"

namespace meridian::model::ssl {

namespace {

core::Error bad(const std::string& message) {
  return core::makeError(core::ErrorCode::InvalidArgument, message);
}

int roundToPatch(double size, int patch) {
  return std::max(patch, static_cast<int>(std::lround(size / patch)) * patch);
}

// The image at the working size in [0, 255] (uint8 [3, S, S]), through the backbone's own
// preprocessing (CT windows, grayscale to 3 channels, letterbox) minus the normalisation,
// which the augmenter applies after its photometric changes.
core::Result<at::Tensor> toWorkingImage(const core::Image2D& image, int side, const PreprocessConfig& preprocess) {
  PreprocessConfig unnormalised = preprocess;
  unnormalised.mean = {0.f, 0.f, 0.f};
  unnormalised.std = {1.f, 1.f, 1.f};
  auto input = preprocessImage(image, side, unnormalised);
  if (!input) return input.error();
  const auto& chw = input.value().chw;
  auto t = at::from_blob(const_cast<float*>(chw.data()), {3, side, side}, at::kFloat);
  return t.mul(255.0).round().clamp(0, 255).to(at::kByte).contiguous();
}

bool isColour(const at::Tensor& image) {
  const auto f = image.to(at::kShort);
  return (f[0] - f[1]).abs().max().item<int>() > 2 || (f[1] - f[2]).abs().max().item<int>() > 2;
}

void collect(NamedTensors& out, const std::string& prefix, torch::nn::Module& module) {
  for (auto& item : module.named_parameters(true)) out.emplace_back(prefix + item.key(), item.value());
}

}  // namespace

void rebuildOptimizer(DinoState& state) {
  std::vector<torch::optim::OptimizerParamGroup> groups(state.groups.groups.begin(), state.groups.groups.end());
  state.optimizer = std::make_unique<torch::optim::AdamW>(std::move(groups));
}

core::Result<std::unique_ptr<DinoState>> buildDinoState(const VitConfig& backbone, const PreprocessConfig& preprocess,
                                                        const std::map<std::string, at::Tensor>& backboneWeights,
                                                        const DinoOptions& options,
                                                        const std::vector<core::Image2D>& images) {
  const int patch = backbone.patchSize;
  if (images.empty()) return bad("DINO pretraining needs at least one image");
  if (options.batchSize < 1) return bad("the batch size must be at least 1");
  if (options.epochs < 1) return bad("the number of epochs must be at least 1");
  if (options.localCrops < 0 || options.localCrops > 32) return bad("the number of local crops must be in [0, 32]");
  if (options.prototypes < 2 || options.headHidden < 1 || options.headBottleneck < 1)
    return bad("the projection head needs at least 2 prototypes and positive widths");
  if (options.memorySize < 0 || options.rehearsalSize < 0) return bad("the memory bank and rehearsal sizes cannot be negative");
  if (options.rehearsalFraction < 0 || options.rehearsalFraction >= 1)
    return bad("rehearsal fraction must be in [0, 1)");
  if (options.momentumStart < 0 || options.momentumStart > 1) return bad("teacher momentum must be in [0, 1]");
  const int globalSize = options.globalCropSize > 0 ? options.globalCropSize : backbone.imageSize;
  if (globalSize % patch != 0) return bad("the global crop size must be a multiple of the patch size");
  const int localSize = options.localCropSize > 0 ? options.localCropSize : roundToPatch(globalSize * 3.0 / 7.0, patch);
  if (localSize % patch != 0) return bad("the local crop size must be a multiple of the patch size");

  auto state = std::make_unique<DinoState>();
  state->vit = backbone;
  state->vit.numClasses = 0;
  state->preprocess = preprocess;
  state->options = options;
  if (state->options.learningRate <= 0) state->options.learningRate = 5e-4 * options.batchSize / 256.0;
  state->workingSize = options.rehearsalImageSize > 0 ? options.rehearsalImageSize : roundToPatch(globalSize * 1.5, 2);

  for (std::size_t i = 0; i < images.size(); ++i) {
    auto working = toWorkingImage(images[i], state->workingSize, preprocess);
    if (!working) return bad("training image " + std::to_string(i + 1) + ": " + working.error().message);
    state->colour.push_back(isColour(working.value()));
    state->images.push_back(std::move(working).value());
  }

  state->student = Vit(state->vit);
  state->teacher = Vit(state->vit);
  {
    torch::NoGradGuard noGrad;
    for (auto& item : state->student->named_parameters(true)) {
      const auto it = backboneWeights.find(item.key());
      if (it == backboneWeights.end()) return bad("backbone weights lack '" + item.key() + "'");
      if (it->second.sizes() != item.value().sizes())
        return bad("backbone weight '" + item.key() + "' has another shape");
      item.value().copy_(it->second.to(at::kFloat));
    }
  }
  at::manual_seed(mixSeed(options.seed, 0x4ead));  // the heads' initialisation follows the run's seed
  state->studentHead = DinoHead(backbone.embedDim, options.headHidden, options.headBottleneck, options.prototypes);
  state->teacherHead = DinoHead(backbone.embedDim, options.headHidden, options.headBottleneck, options.prototypes);
  collect(state->studentParameters, "backbone.", *state->student);
  collect(state->studentParameters, "head.", *state->studentHead);
  collect(state->teacherParameters, "backbone.", *state->teacher);
  collect(state->teacherParameters, "head.", *state->teacherHead);
  {
    torch::NoGradGuard noGrad;
    for (std::size_t i = 0; i < state->teacherParameters.size(); ++i) {
      state->teacherParameters[i].second.copy_(state->studentParameters[i].second);
      state->teacherParameters[i].second.set_requires_grad(false);
    }
  }
  state->student->train();
  state->teacher->eval();

  // Backbone groups from the shared fine-tuning code (no layer decay in DINO), plus the
  // head: matrices and prototypes decay, biases do not. The decay value is set per step.
  train::ParameterGroupOptions groupOptions;
  groupOptions.weightDecay = 1.0;
  groupOptions.layerDecay = 1.0;
  state->groups = train::buildParameterGroups(*state->student, state->vit.depth, groupOptions);
  for (const auto& name : state->groups.names) state->groupDecays.push_back(name.find(", decay") != std::string::npos);
  std::vector<at::Tensor> headDecay, headNoDecay;
  for (auto& item : state->studentHead->named_parameters(true))
    (item.value().dim() > 1 ? headDecay : headNoDecay).push_back(item.value());
  for (auto* list : {&headDecay, &headNoDecay}) {
    auto groupOpts = std::make_unique<torch::optim::AdamWOptions>(1.0);
    groupOpts->weight_decay(list == &headDecay ? 1.0 : 0.0);
    state->groups.groups.emplace_back(*list, std::move(groupOpts));
    state->groups.lrScales.push_back(1.0);
    state->groups.names.push_back(list == &headDecay ? "head, decay" : "head, no decay");
    state->groupDecays.push_back(list == &headDecay);
  }
  rebuildOptimizer(*state);

  state->loss = std::make_unique<DinoLoss>(options.prototypes, options.studentTemperature, options.centerMomentum);
  if (options.memorySize > 0) state->memory = std::make_unique<MemoryBank>(options.memorySize, backbone.embedDim);
  if (options.rehearsalSize > 0) state->rehearsal = std::make_unique<RehearsalBuffer>(options.rehearsalSize);

  MultiCropSettings crops;
  crops.globalSize = globalSize;
  crops.localSize = localSize;
  crops.localCrops = options.localCrops;
  crops.globalScaleMin = options.globalScaleMin;
  crops.globalScaleMax = options.globalScaleMax;
  crops.localScaleMin = options.localScaleMin;
  crops.localScaleMax = options.localScaleMax;
  crops.mean = preprocess.mean;
  crops.std = preprocess.std;
  state->augmenter = std::make_unique<MultiCropAugmenter>(crops);

  const auto n = static_cast<std::int64_t>(state->images.size());
  state->stepsPerEpoch = std::max<std::int64_t>(1, n / options.batchSize);
  state->totalSteps = state->stepsPerEpoch * options.epochs;
  return state;
}

std::string parametersSha256(const DinoState& state) {
  std::string bytes;
  for (const auto* list : {&state.studentParameters, &state.teacherParameters})
    for (const auto& [name, t] : *list) {
      const auto c = t.detach().contiguous();
      bytes.append(name);
      bytes.append(static_cast<const char*>(c.data_ptr()), c.nbytes());
    }
  return core::sha256OfBytes(bytes);
}

}  // namespace meridian::model::ssl
