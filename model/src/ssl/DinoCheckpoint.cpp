#include "DinoCheckpoint.hpp"

#include <ATen/CPUGeneratorImpl.h>

#include "../ModelJson.hpp"
#include "meridian/model/SafeTensorsFile.hpp"

namespace meridian::model::ssl {

namespace {

std::string optimizerKey(const at::Tensor& p) {
  return c10::guts::to_string(p.unsafeGetTensorImpl());  // how LibTorch's optimisers key their state
}

at::Tensor scalarI64(std::int64_t value) {
  return at::full({1}, value, at::kLong);
}

core::Error corrupt(const std::filesystem::path& path, const std::string& what) {
  return core::makeError(core::ErrorCode::Corrupt, path.string() + ": " + what);
}

}  // namespace

core::Status saveDinoCheckpoint(const DinoState& state, const std::filesystem::path& path) {
  TensorMap tensors;
  for (const auto& [name, p] : state.studentParameters) tensors.emplace("student." + name, p.detach());
  for (const auto& [name, p] : state.teacherParameters) tensors.emplace("teacher." + name, p.detach());
  auto& optimizerState = state.optimizer->state();
  for (const auto& [name, p] : state.studentParameters) {
    const auto it = optimizerState.find(optimizerKey(p));
    if (it == optimizerState.end()) continue;  // not stepped yet
    const auto& adam = static_cast<const torch::optim::AdamWParamState&>(*it->second);
    tensors.emplace("optimizer." + name + ".exp_avg", adam.exp_avg());
    tensors.emplace("optimizer." + name + ".exp_avg_sq", adam.exp_avg_sq());
    tensors.emplace("optimizer." + name + ".step", scalarI64(adam.step()));
  }
  tensors.emplace("dino.center", state.loss->center());
  if (state.memory) {
    tensors.emplace("memory.entries", state.memory->entries());
    tensors.emplace("memory.state", at::tensor({state.memory->filled(), state.memory->cursor()}, at::kLong));
  }
  if (state.rehearsal && state.rehearsal->size() > 0) {
    tensors.emplace("rehearsal.images", state.rehearsal->stackedImages());
    tensors.emplace("rehearsal.colour", state.rehearsal->colourFlags());
  }
  if (state.rehearsal) tensors.emplace("rehearsal.seen", scalarI64(state.rehearsal->seen()));
  tensors.emplace("schedule.step", scalarI64(state.step));
  tensors.emplace("rng.torch", at::detail::getDefaultCPUGenerator().get_state());

  std::map<std::string, std::string> metadata;
  metadata["format"] = kDinoCheckpointFormat;
  metadata["model"] = toModelJson(ModelDescription{state.vit, state.preprocess, ModelCard{}});
  for (const auto& [key, value] : state.options.toMap()) metadata["dino." + key] = value;
  return saveSafeTensors(path, tensors, metadata);
}

core::Result<DinoCheckpoint> readDinoCheckpoint(const std::filesystem::path& path) {
  auto file = SafeTensorsFile::open(path);
  if (!file) return file.error();
  const auto& metadata = file.value().metadata();
  const auto format = metadata.find("format");
  if (format == metadata.end() || format->second != kDinoCheckpointFormat)
    return corrupt(path, "not a Meridian DINO checkpoint (no format tag '" + std::string(kDinoCheckpointFormat) + "')");
  const auto model = metadata.find("model");
  if (model == metadata.end()) return corrupt(path, "the checkpoint has no model description");
  auto description = parseModelJson(model->second);
  if (!description) return corrupt(path, "model description: " + description.error().message);
  DinoCheckpoint checkpoint;
  checkpoint.vit = description.value().vit;
  checkpoint.preprocess = description.value().preprocess;
  std::map<std::string, std::string> options;
  for (const auto& [key, value] : metadata)
    if (key.rfind("dino.", 0) == 0) options[key.substr(5)] = value;
  if (!checkpoint.options.fromMap(options)) return corrupt(path, "unreadable DINO options");
  auto tensors = loadSafeTensors(path);
  if (!tensors) return tensors.error();
  checkpoint.tensors = std::move(tensors).value();
  if (!checkpoint.tensors.count("schedule.step") || !checkpoint.tensors.count("dino.center"))
    return corrupt(path, "the checkpoint lacks its schedule step or centre");
  return checkpoint;
}

std::map<std::string, at::Tensor> backboneWeights(const TensorMap& tensors, const std::string& prefix) {
  std::map<std::string, at::Tensor> out;
  for (const auto& [name, t] : tensors)
    if (name.rfind(prefix, 0) == 0) out.emplace(name.substr(prefix.size()), t);
  return out;
}

core::Status restoreDinoState(DinoState& state, const DinoCheckpoint& checkpoint, bool exact) {
  const auto& tensors = checkpoint.tensors;
  auto missing = [](const std::string& name) {
    return core::makeError(core::ErrorCode::Corrupt, "checkpoint lacks '" + name + "' or it has another shape");
  };
  torch::NoGradGuard noGrad;
  for (auto* list : {&state.studentParameters, &state.teacherParameters}) {
    const std::string prefix = list == &state.studentParameters ? "student." : "teacher.";
    for (auto& [name, p] : *list) {
      const auto it = tensors.find(prefix + name);
      if (it == tensors.end() || it->second.sizes() != p.sizes()) return missing(prefix + name);
      p.copy_(it->second.to(at::kFloat));
    }
  }
  const auto& center = tensors.at("dino.center");
  if (center.sizes() != state.loss->center().sizes()) return missing("dino.center");
  state.loss->center().copy_(center);
  if (state.memory) {
    const auto entries = tensors.find("memory.entries");
    const auto memoryState = tensors.find("memory.state");
    if (entries != tensors.end() && memoryState != tensors.end()) {
      if (entries->second.sizes() != state.memory->entries().sizes())
        return core::makeError(core::ErrorCode::InvalidArgument,
                               "the checkpoint's memory bank holds " + std::to_string(entries->second.size(0)) +
                                   " entries; resume with a memory bank of that size (" + std::to_string(entries->second.size(0)) + ")");
      state.memory->restore(entries->second, memoryState->second[0].item<std::int64_t>(),
                            memoryState->second[1].item<std::int64_t>());
    }
  }
  if (state.rehearsal) {
    const auto images = tensors.find("rehearsal.images");
    const auto colour = tensors.find("rehearsal.colour");
    const auto seen = tensors.find("rehearsal.seen");
    if (images != tensors.end() && colour != tensors.end())
      state.rehearsal->restore(images->second, colour->second,
                               seen != tensors.end() ? seen->second[0].item<std::int64_t>() : images->second.size(0),
                               state.workingSize);
  }
  if (!exact) return core::Ok{};

  state.step = tensors.at("schedule.step")[0].item<std::int64_t>();
  auto& optimizerState = state.optimizer->state();
  for (const auto& [name, p] : state.studentParameters) {
    const auto avg = tensors.find("optimizer." + name + ".exp_avg");
    const auto sq = tensors.find("optimizer." + name + ".exp_avg_sq");
    const auto step = tensors.find("optimizer." + name + ".step");
    if (avg == tensors.end() || sq == tensors.end() || step == tensors.end()) continue;
    if (avg->second.sizes() != p.sizes() || sq->second.sizes() != p.sizes()) return missing("optimizer." + name);
    auto adam = std::make_unique<torch::optim::AdamWParamState>();
    adam->step(step->second[0].item<std::int64_t>());
    adam->exp_avg(avg->second.clone());
    adam->exp_avg_sq(sq->second.clone());
    optimizerState[optimizerKey(p)] = std::move(adam);
  }
  const auto rng = tensors.find("rng.torch");
  if (rng != tensors.end()) {
    auto generator = at::detail::getDefaultCPUGenerator();
    generator.set_state(rng->second);
  }
  return core::Ok{};
}

}  // namespace meridian::model::ssl
