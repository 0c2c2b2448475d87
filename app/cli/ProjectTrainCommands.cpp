// meridian-cli project train | accept-model (see ProjectTrainCommands.hpp).

#include "ProjectTrainCommands.hpp"

#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "ExitCodes.hpp"
#include "JobProgressLine.hpp"
#include "meridian/core/JobRunner.hpp"
#include "meridian/project/ProjectStore.hpp"
#include "meridian/service/BundledModel.hpp"
#include "meridian/service/ModelServiceLoader.hpp"

namespace meridian::app {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

core::Result<std::unique_ptr<project::ProjectStore>> openStore(const fs::path& folder, const std::string& actor) {
  auto store = project::ProjectStore::open(folder);
  if (store && !actor.empty()) store.value()->setActor(actor);
  return store;
}

json resultJson(const service::TrainingResult& r) {
  json out{{"model_folder", r.relativeFolder}, {"method", r.method}, {"name", r.card.name},
           {"weights_sha256", r.card.provenance.weightsSha256}, {"note", r.note}};
  out["split"] = {{"classes", r.split.classes},
                  {"train", r.split.train.perClass},
                  {"held_out", r.split.heldOut.perClass},
                  {"train_patients", r.split.train.patients},
                  {"held_out_patients", r.split.heldOut.patients}};
  if (r.heldOut)
    out["held_out"] = {{"n", r.heldOut->n},
                       {"auroc", r.heldOut->auroc.value},
                       {"auroc_ci", {r.heldOut->auroc.ciLow, r.heldOut->auroc.ciHigh}},
                       {"accuracy", r.heldOut->accuracy.value},
                       {"confusion", r.heldOut->confusion},
                       {"labels", r.heldOut->labels}};
  auto& epochs = out["epochs"] = json::array();
  for (const auto& e : r.epochs)
    epochs.push_back({{"epoch", e.epoch},
                      {"loss", std::isfinite(e.trainingLoss) ? json(e.trainingLoss) : json(nullptr)},
                      {"validation_auroc", std::isfinite(e.validationAuroc) ? json(e.validationAuroc) : json(nullptr)}});
  return out;
}

int runTrain(const ProjectTrainOptions& o, const std::string& actor) {
  service::TrainingRequest request;
  if (!service::setTrainingMethod(request, o.method))
    return fail(kExitUsage, "unknown --method '" + o.method + "' (probe, knn, prototype, lora, partial, full, dino)");
  request.baseModel = o.baseModel;
  if (request.baseModel.empty()) {
    auto bundled = service::bundledModelFolder();
    if (!bundled) return fail(kExitFailure, "the bundled model folder was not found; give one with --model");
    request.baseModel = *bundled;
  }
  request.name = o.name;
  request.options.valFraction = o.heldOut;
  request.options.seed = o.seed;
  request.options.inverseRegularization = o.c;
  request.options.k = o.k;
  request.options.epochs = o.epochs;
  request.options.lr = o.lr;
  request.options.batchSize = o.batchSize;
  request.options.evaluation.bootstrap.resamples = o.bootstrap;
  request.options.evaluation.bootstrap.seed = o.seed;
  request.dino.epochs = o.epochs;
  request.dino.batchSize = o.batchSize;
  auto store = openStore(o.folder, actor);
  if (!store) return fail(store.error());
  auto training = service::createTrainingService();
  if (!training) return fail(training.error());
  core::JobRunner runner(1);
  JobProgressLine line("train");
  std::optional<service::TrainingResult> result;
  auto ended = line.run(runner, "train " + o.method, [&](const core::JobControl& job) -> core::Status {
    auto trained = training.value()->train(
        *store.value(), request,
        [&](const model::EpochRecord& e) {
          if (!o.json)
            std::fprintf(stderr, "epoch %d/%d: loss %.4f, validation AUROC %.4f\n", e.epoch, e.epochs, e.trainingLoss,
                         e.validationAuroc);
        },
        job);
    if (!trained) return trained.error();
    result = std::move(trained).value();
    return core::Ok{};
  });
  line.finish();
  // The project's labels are the input: what the trainer refuses there (one class, a thin
  // held-out part) is the input's fault, exit 3.
  if (!ended) return fail(ended.error(), Judged::InputFile);
  if (o.json) {
    std::cout << resultJson(*result).dump(2) << "\n";
  } else {
    std::printf("trained %s: %s\n", result->method.c_str(), result->relativeFolder.c_str());
    if (result->heldOut)
      std::printf("held out (n=%zu): AUROC %.4f [%.4f, %.4f], accuracy %.4f\n", result->heldOut->n,
                  result->heldOut->auroc.value, result->heldOut->auroc.ciLow, result->heldOut->auroc.ciHigh,
                  result->heldOut->accuracy.value);
    std::printf("make it the project's model with: meridian-cli project accept-model %s %s\n", o.folder.c_str(),
                result->relativeFolder.c_str());
  }
  return kExitOk;
}

int runAccept(const ProjectTrainOptions& o, const std::string& actor) {
  auto store = openStore(o.folder, actor);
  if (!store) return fail(store.error());
  auto training = service::createTrainingService();
  if (!training) return fail(training.error());
  auto accepted = training.value()->accept(*store.value(), o.modelFolder);
  if (!accepted) return fail(accepted.error(), Judged::InputFile);
  const auto& a = accepted.value();
  if (o.json)
    std::cout << json{{"folder", a.folder}, {"name", a.name}, {"weights_sha256", a.weightsSha256},
                      {"accepted_utc", a.acceptedUtc}, {"actor", a.actor}}
                     .dump(2)
              << "\n";
  else
    std::printf("active model: %s (%s, weights %s)\n", a.folder.c_str(), a.name.c_str(), a.weightsSha256.c_str());
  return kExitOk;
}

}  // namespace

void addProjectTrainCommands(CLI::App& project, ProjectTrainOptions& o) {
  o.train = project.add_subcommand("train", "Train a model on the project's image-level labels (a new folder under models/)");
  o.train->add_option("folder", o.folder, "Project folder")->required();
  o.train->add_option("--method", o.method, "probe, knn, prototype, lora, partial, full, or dino (continued pretraining "
                                            "on the unlabelled cases)");
  o.train->add_option("--model", o.baseModel, "Base model folder (default: the bundled model)");
  o.train->add_option("--name", o.name, "Folder name under models/ (default METHOD-YYYYMMDD-HHMMSS; the same name "
                                        "resumes a cancelled dino run)");
  o.train->add_option("--held-out", o.heldOut, "Share of cases held out, whole patients (default 0.2)");
  o.train->add_option("--seed", o.seed, "Seed of the split, training and bootstrap");
  o.train->add_option("--c", o.c, "Probe: inverse regularisation (default 1)");
  o.train->add_option("--k", o.k, "kNN: neighbours (default 20)");
  o.train->add_option("--epochs", o.epochs, "Fine-tuning and dino: epochs (default 10)");
  o.train->add_option("--lr", o.lr, "Fine-tuning: peak learning rate (default 1e-3)");
  o.train->add_option("--batch-size", o.batchSize, "Fine-tuning and dino: batch size (default 16)");
  o.train->add_option("--bootstrap", o.bootstrap, "Bootstrap resamples for the intervals and the ROC band (default 1000)");
  o.train->add_flag("--json", o.json, "Print the result as JSON");
  o.accept = project.add_subcommand("accept-model", "Make a model folder the project's active model (logged)");
  o.accept->add_option("folder", o.folder, "Project folder")->required();
  o.accept->add_option("model", o.modelFolder, "Model folder (relative to the project folder, or absolute)")->required();
  o.accept->add_flag("--json", o.json, "Print the accepted model as JSON");
}

bool projectTrainChosen(const ProjectTrainOptions& o) { return (o.train && *o.train) || (o.accept && *o.accept); }

int runProjectTrain(const ProjectTrainOptions& o, const std::string& actor) {
  return *o.train ? runTrain(o, actor) : runAccept(o, actor);
}

}  // namespace meridian::app
