#include "FineTune.hpp"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <map>
#include <optional>

#include "Augmentation.hpp"
#include "AutocastScope.hpp"
#include "FusedAdamW.hpp"
#include "KeepFreedMemory.hpp"
#include "LearningRateSchedule.hpp"
#include "Lora.hpp"
#include "ParameterGroups.hpp"
#include "meridian/model/Precision.hpp"
#include "meridian/model/Preprocessor.hpp"

namespace meridian::model::train {

namespace fs = std::filesystem;

namespace {

using Snapshot = std::map<std::string, torch::Tensor>;

Snapshot snapshot(const Vit& net) {
  Snapshot out;
  for (const auto& item : net->named_parameters()) out[item.key()] = item.value().detach().clone();
  return out;
}

void restore(Vit& net, const Snapshot& state) {
  torch::NoGradGuard noGrad;
  for (auto& item : net->named_parameters()) item.value().copy_(state.at(item.key()));
}

core::Result<torch::Tensor> loadImages(const LabelSet& labels, const PreprocessConfig& preprocess, int size,
                                       const ImageLoader& load, const core::JobControl& job) {
  auto images = torch::empty({static_cast<std::int64_t>(labels.images.size()), 3, size, size});
  for (std::size_t i = 0; i < labels.images.size(); ++i) {
    if (job.cancelled()) return core::makeError(core::ErrorCode::Cancelled, "training cancelled");
    const auto& path = labels.images[i].path;
    auto image = load(path);
    if (!image) return core::makeError(image.error().code, path.string() + ": " + image.error().message);
    auto input = preprocessImage(image.value(), size, preprocess);
    if (!input) return core::makeError(input.error().code, path.string() + ": " + input.error().message);
    images[static_cast<std::int64_t>(i)].copy_(torch::from_blob(input.value().chw.data(), {3, size, size}));
    if ((i + 1) % 32 == 0 || i + 1 == labels.images.size())
      job.report({"loading images", i + 1, labels.images.size(), -1, ""});
  }
  return images;
}

torch::Tensor rowsTensor(const std::vector<std::size_t>& rows) {
  std::vector<std::int64_t> r(rows.begin(), rows.end());
  return torch::tensor(r, torch::kLong);
}

}  // namespace

double forwardBackward(Vit& net, const at::Tensor& images, const at::Tensor& targets, const at::Tensor& classWeight,
                       int accumulation, bool bf16) {
  keepFreedMemoryForTraining();
  torch::Tensor logits;
  {
    AutocastScope autocast(bf16);
    logits = net->forward(images).logits;
  }
  const auto loss = torch::nn::functional::cross_entropy(
      logits.to(torch::kFloat), targets, torch::nn::functional::CrossEntropyFuncOptions().weight(classWeight));
  const double value = loss.item<double>();
  if (std::isfinite(value)) (loss / accumulation).backward();
  return value;
}

core::Result<FineTuneOutcome> fineTune(const fs::path& baseModel, const LabelSet& labels, const metrics::Split& split,
                                       const TrainOptions& options, const ImageLoader& load,
                                       const core::JobControl& job) {
  auto bad = [](const std::string& m) { return core::makeError(core::ErrorCode::InvalidArgument, m); };
  if (options.epochs < 1 || options.batchSize < 1 || options.accumulation < 1 || !(options.lr > 0.0))
    return bad("fine-tuning needs epochs, batch size and accumulation >= 1 and a positive learning rate");
  const int classes = static_cast<int>(labels.classes.size());
  const auto y = labels.classIndices();

  // Early stopping watches a slice of the training side (whole patients), never the held-out side.
  std::vector<int> trainLabels;
  std::vector<std::string> trainPatients;
  const auto allPatients = labels.patients();
  for (auto row : split.train) {
    trainLabels.push_back(y[row]);
    if (!allPatients.empty()) trainPatients.push_back(allPatients[row]);
  }
  auto inner = metrics::holdOutSplit(trainLabels, classes, trainPatients, options.earlyStopFraction, options.seed + 1);
  if (!inner) return core::makeError(inner.error().code, "early-stopping split: " + inner.error().message);
  std::vector<std::size_t> fitRows, validationRows;
  for (auto i : inner.value().train) fitRows.push_back(split.train[i]);
  for (auto i : inner.value().test) validationRows.push_back(split.train[i]);

  auto backbone = readBackbone(baseModel);
  if (!backbone) return backbone.error();
  FineTuneOutcome outcome;
  outcome.config = backbone.value().config;
  outcome.config.numClasses = classes;
  outcome.preprocess = backbone.value().preprocess;
  outcome.validationImages = validationRows.size();
  const int depth = outcome.config.depth;
  if (options.method == TrainMethod::Partial && (options.blocks < 1 || options.blocks > depth))
    return bad("the number of blocks to train must lie between 1 and the model's depth " + std::to_string(depth));
  if (options.method == TrainMethod::Lora && (options.rank < 1 || !(options.alpha > 0.0)))
    return bad("LoRA needs rank >= 1 and alpha > 0");

  auto images = loadImages(labels, outcome.preprocess, outcome.config.imageSize, load, job);
  if (!images) return images.error();

  // The network: the base backbone, a fresh head, then what trains and what stays frozen.
  torch::manual_seed(options.seed);
  Vit net(outcome.config);
  net->initializeWeights();  // the new head (everything else is overwritten next)
  {
    torch::NoGradGuard noGrad;
    for (auto& item : net->named_parameters()) {
      const auto it = backbone.value().tensors.find(item.key());
      if (it != backbone.value().tensors.end() && it->second.sizes() == item.value().sizes())
        item.value().copy_(it->second);
    }
  }
  std::optional<LoraAdapters> lora;
  if (options.method == TrainMethod::Partial) {
    for (auto& p : net->parameters()) p.set_requires_grad(false);
    for (int b = depth - options.blocks; b < depth; ++b)
      for (auto& p : net->blocks->ptr<VitBlockImpl>(static_cast<std::size_t>(b))->parameters())
        p.set_requires_grad(true);
    for (auto& p : net->norm->parameters()) p.set_requires_grad(true);
    for (auto& p : net->head->parameters()) p.set_requires_grad(true);
  } else if (options.method == TrainMethod::Lora) {
    lora.emplace(net, options.rank, options.alpha);
  }
  const auto groups = buildParameterGroups(*net, depth, {options.weightDecay, options.layerDecay});
  torch::optim::AdamW optimizer(groups.groups, torch::optim::AdamWOptions(options.lr));

  const auto perStep = static_cast<std::size_t>(options.batchSize * options.accumulation);
  const auto stepsPerEpoch = static_cast<std::int64_t>((fitRows.size() + perStep - 1) / perStep);
  const std::int64_t totalSteps = stepsPerEpoch * options.epochs;
  const CosineWithWarmup schedule(
      options.lr, static_cast<std::int64_t>(std::round(options.warmupFraction * totalSteps)), totalSteps);
  outcome.bf16 = options.bf16 && bf16Support().available;

  // Class-balanced cross-entropy on the training side.
  std::vector<double> counts(static_cast<std::size_t>(classes));
  for (auto row : fitRows) counts[static_cast<std::size_t>(y[row])] += 1;
  std::vector<float> weights;
  for (double c : counts) weights.push_back(static_cast<float>(fitRows.size() / (classes * std::max(1.0, c))));
  const auto classWeight = torch::tensor(weights);
  const auto targets = torch::tensor(std::vector<std::int64_t>(y.begin(), y.end()), torch::kLong);

  auto predict = [&](const std::vector<std::size_t>& rows) {
    torch::NoGradGuard noGrad;
    net->eval();
    if (lora) lora->refresh();
    metrics::ScoreRows out;
    for (std::size_t first = 0; first < rows.size(); first += 64) {
      const std::vector<std::size_t> chunk(
          rows.begin() + static_cast<std::ptrdiff_t>(first),
          rows.begin() + static_cast<std::ptrdiff_t>(std::min(rows.size(), first + 64)));
      torch::Tensor probabilities;
      {
        AutocastScope autocast(outcome.bf16);
        probabilities = torch::softmax(
            net->forward(images.value().index_select(0, rowsTensor(chunk))).logits.to(torch::kDouble), 1);
      }
      for (std::int64_t i = 0; i < probabilities.size(0); ++i)
        out.emplace_back(probabilities[i].data_ptr<double>(), probabilities[i].data_ptr<double>() + classes);
    }
    return out;
  };
  auto validationAuroc = [&] {
    std::vector<int> yv;
    for (auto row : validationRows) yv.push_back(y[row]);
    auto auroc = metrics::macroAuroc(predict(validationRows), yv);
    return auroc ? auroc.value() : 0.5;
  };

  Snapshot best = snapshot(net);
  outcome.bestValidationAuroc = validationAuroc();
  int sinceBest = 0;
  std::int64_t step = 0;
  const auto started = std::chrono::steady_clock::now();
  std::string stopReason = "ran all " + std::to_string(options.epochs) + " epochs";
  for (int epoch = 1; epoch <= options.epochs && !outcome.diverged; ++epoch) {
    net->train();
    const auto permutation = torch::randperm(static_cast<std::int64_t>(fitRows.size()), torch::kLong);
    const std::vector<std::int64_t> order(permutation.data_ptr<std::int64_t>(),
                                          permutation.data_ptr<std::int64_t>() + permutation.numel());
    double lossSum = 0.0;
    std::size_t micro = 0, batches = (fitRows.size() + options.batchSize - 1) / options.batchSize;
    for (std::size_t first = 0; first < fitRows.size(); first += static_cast<std::size_t>(options.batchSize), ++micro) {
      if (job.cancelled()) return core::makeError(core::ErrorCode::Cancelled, "training cancelled");
      std::vector<std::size_t> chunk;
      for (std::size_t k = first; k < std::min(fitRows.size(), first + options.batchSize); ++k)
        chunk.push_back(fitRows[static_cast<std::size_t>(order[k])]);
      const auto index = rowsTensor(chunk);
      auto x = images.value().index_select(0, index);
      if (options.augment) x = augmentBatch(x, outcome.preprocess);
      if (lora) lora->refresh();
      const double value =
          forwardBackward(net, x, targets.index_select(0, index), classWeight, options.accumulation, outcome.bf16);
      if (!std::isfinite(value)) {
        outcome.diverged = true;
        stopReason = "the loss became " + std::string(std::isnan(value) ? "NaN" : "infinite") + " at epoch " +
                     std::to_string(epoch) + ", optimiser step " + std::to_string(step) +
                     ": training stopped and the saved model is the last good checkpoint (" +
                     (outcome.bestEpoch == 0 ? std::string("the starting weights")
                                             : "epoch " + std::to_string(outcome.bestEpoch)) +
                     ")";
        break;
      }
      lossSum += value;
      if ((micro + 1) % static_cast<std::size_t>(options.accumulation) == 0 || micro + 1 == batches) {
        applyLearningRate(optimizer, groups, schedule.at(step++));
        adamWStep(optimizer);
        dropGradients(optimizer);
      }
    }
    if (outcome.diverged) break;
    outcome.epochsRun = epoch;
    const double auroc = validationAuroc();
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    job.report({"epoch " + std::to_string(epoch) + "/" + std::to_string(options.epochs),
                static_cast<std::size_t>(epoch), static_cast<std::size_t>(options.epochs),
                elapsed / epoch * (options.epochs - epoch),
                "loss " + std::to_string(lossSum / std::max<std::size_t>(1, micro)) + ", validation AUROC " +
                    std::to_string(auroc)});
    if (options.onEpoch)
      options.onEpoch({epoch, options.epochs, lossSum / static_cast<double>(std::max<std::size_t>(1, micro)), auroc,
                       validationRows.size()});
    if (auroc > outcome.bestValidationAuroc) {
      outcome.bestValidationAuroc = auroc;
      outcome.bestEpoch = epoch;
      best = snapshot(net);
      sinceBest = 0;
    } else if (++sinceBest >= options.patience) {
      stopReason = "early stop at epoch " + std::to_string(epoch) + " (no better validation AUROC for " +
                   std::to_string(options.patience) + " epochs)";
      break;
    }
  }

  restore(net, best);
  if (lora) lora->merge();
  outcome.heldOutScores = predict(split.test);
  for (const auto& item : net->named_parameters())
    if (!isLoraParameter(item.key())) outcome.weights[item.key()] = item.value().detach().clone();
  outcome.note = stopReason + "; kept epoch " + std::to_string(outcome.bestEpoch) + " (validation AUROC " +
                 std::to_string(outcome.bestValidationAuroc) + " on " + std::to_string(validationRows.size()) +
                 " training-side images)" + (outcome.bf16 ? "; bf16 autocast" : "; float32");
  return outcome;
}

}  // namespace meridian::model::train
