// meridian-cli project predict | explain: the model on a project's cases through the model
// service (model/service/include/meridian/service/ModelService.hpp), the code the window's
// model panel runs. The service's library, and LibTorch with it, is opened here on first use.

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <variant>

#include "ExitCodes.hpp"
#include "JobProgressLine.hpp"
#include "ProjectCommands.hpp"
#include "meridian/core/JobRunner.hpp"
#include "meridian/project/ProjectStore.hpp"
#include "meridian/service/BundledModel.hpp"
#include "meridian/service/ModelServiceLoader.hpp"

namespace meridian::app {
namespace {

using json = nlohmann::json;

struct Session {
  std::unique_ptr<service::ModelService> service;
  std::unique_ptr<project::ProjectStore> store;
  service::ModelCardView card;
};

/// The service with the model loaded and the project open, or the exit code.
std::variant<Session, int> openSession(const ProjectOptions& o) {
  std::filesystem::path folder = o.modelDir;
  if (folder.empty()) {
    auto bundled = service::bundledModelFolder();
    if (!bundled) {
      std::string looked;
      for (const auto& c : service::bundledModelCandidates()) looked += "\n  " + c.string();
      return fail(kExitUsage, "no --model given and the bundled model was not found; looked in:" + looked);
    }
    folder = *bundled;
  }
  if (o.precision != "fp32" && o.precision != "bf16") return fail(kExitUsage, "--precision wants fp32 or bf16");
  auto store = project::ProjectStore::open(o.folder, project::OpenMode::ReadWrite);
  if (!store) return fail(store.error());
  if (!o.actor.empty()) store.value()->setActor(o.actor);
  auto made = service::createModelService(o.verbose);
  if (!made) return fail(made.error());
  auto card = made.value()->loadModel(folder, {o.device, o.precision == "bf16"});
  if (!card) return fail(card.error(), Judged::InputFile);
  const auto state = made.value()->deviceState();
  std::fprintf(stderr, "model %s (weights SHA-256 %s, verified) on %s%s%s\n%s\n", card.value().name.c_str(),
               card.value().weightsSha256.substr(0, 16).c_str(), state.summary.c_str(), state.note.empty() ? "" : "; ",
               state.note.c_str(), card.value().useNotice.c_str());
  return Session{std::move(made).value(), std::move(store).value(), std::move(card).value()};
}

json predictionJson(const service::CasePrediction& p) {
  json probabilities = json::object();
  for (const auto& lp : p.probabilities) probabilities[lp.label] = lp.probability;
  json j = {{"case", p.caseId},          {"prediction", p.predictionId}, {"kind", project::toString(p.kind)},
            {"label", p.topLabel},       {"probability", p.topProbability}, {"probabilities", probabilities},
            {"aggregation", p.scoreAggregation}, {"model_sha256", p.weightsSha256}};
  if (!p.sliceCurve.empty()) j["slice_curve"] = p.sliceCurve;
  if (!p.mapFile.empty()) j["map_file"] = p.mapFile;
  return j;
}

}  // namespace

void addProjectModelCommands(CLI::App& project, ProjectOptions& o) {
  o.predict = project.add_subcommand("predict", "Run the model on the project's cases and store its predictions");
  o.explain = project.add_subcommand("explain", "Explain one case's prediction with an attention map stored in the project");
  for (auto* c : {o.predict, o.explain}) {
    c->add_option("folder", o.folder, "Project folder")->required();
    c->add_option("--model", o.modelDir, "Model folder (default: the bundled model)");
    c->add_option("--device", o.device, "cpu, cuda or cuda:N (CUDA only with a CUDA LibTorch)");
    c->add_option("--precision", o.precision, "fp32 or bf16 (bf16 where the CPU computes it natively)");
    c->add_option("--mpp", o.mpp, "Slides: microns per model pixel");
    c->add_option("--batch", o.batch, "Volumes and slides: images per forward pass");
  }
  o.predict->add_option("--case", o.caseRefs, "Case id or path (repeat; default: every case)");
  o.predict->add_flag("--json", o.json, "Print the stored predictions as a JSON array");
  o.explain->add_option("--case", o.caseRef, "Case id or path")->required();
  o.explain->add_option("--method", o.method, "cls, rollout or gradcam")->capture_default_str();
  o.explain->add_option("--head", o.head, "cls: one attention head (default: the mean over heads)");
  o.explain->add_option("--class", o.className, "gradcam: the label explained (default: the predicted one)");
}

int runProjectPredict(const ProjectOptions& o, service::ModelCardView* card) {
  auto opened = openSession(o);
  if (auto* rc = std::get_if<int>(&opened)) return *rc;
  Session& s = std::get<Session>(opened);
  if (card != nullptr) *card = s.card;
  service::PredictRequest request;
  for (const auto& ref : o.caseRefs) {
    auto id = resolveCase(*s.store, ref);
    if (!id) return fail(id.error());
    request.cases.push_back(id.value());
  }
  request.slideMicronsPerPixel = o.mpp;
  request.batchSize = o.batch;
  core::JobRunner runner(1);
  JobProgressLine line("project predict");
  service::PredictReport report;
  const core::Status status = line.run(runner, "Predict", [&](const core::JobControl& job) -> core::Status {
    auto r = s.service->predict(*s.store, request, job);
    if (!r) return r.error();
    report = std::move(r).value();
    return core::Ok{};
  });
  if (!status) return fail(status.error());
  for (const auto& f : report.failed) std::fprintf(stderr, "meridian-cli: %s\n", f.reason.c_str());
  if (o.json) {
    json out = json::array();
    for (const auto& p : report.done) out.push_back(predictionJson(p));
    std::cout << out.dump(2) << "\n";
  } else {
    for (const auto& p : report.done)
      std::printf("%5lld  %-6s  %s %.1f%%  (%s)%s%s\n", static_cast<long long>(p.caseId), project::toString(p.kind),
                  p.topLabel.c_str(), 100.0 * p.topProbability, p.scoreAggregation.c_str(),
                  p.mapFile.empty() ? "" : "  heatmap ", p.mapFile.c_str());
  }
  std::fprintf(stderr, "model run %lld: %zu case(s) predicted, %zu could not be, %.1f s\n",
               static_cast<long long>(report.runId), report.done.size(), report.failed.size(), report.seconds);
  return report.done.empty() ? kExitBadInput : kExitOk;
}

int runProjectExplain(const ProjectOptions& o) {
  const auto method = service::parseExplainKind(o.method);
  if (!method) return fail(kExitUsage, "--method wants cls, rollout or gradcam, not '" + o.method + "'");
  auto opened = openSession(o);
  if (auto* rc = std::get_if<int>(&opened)) return *rc;
  Session& s = std::get<Session>(opened);
  service::ExplainRequest request;
  auto id = resolveCase(*s.store, o.caseRef);
  if (!id) return fail(id.error());
  request.caseId = id.value();
  request.method = *method;
  request.head = o.head;
  request.className = o.className;
  request.slideMicronsPerPixel = o.mpp;
  request.batchSize = o.batch;
  core::JobRunner runner(1);
  JobProgressLine line("project explain");
  service::ExplainResult result;
  const core::Status status = line.run(runner, "Explain", [&](const core::JobControl& job) -> core::Status {
    auto r = s.service->explain(*s.store, request, job);
    if (!r) return r.error();
    result = std::move(r).value();
    return core::Ok{};
  });
  if (!status) return fail(status.error());
  const auto size = result.map.size();
  std::printf("case %lld: %s -> %s (%dx%dx%d map, prediction %lld)\n", static_cast<long long>(result.caseId),
              result.description.c_str(), result.mapFile.c_str(), size[0], size[1], size[2],
              static_cast<long long>(result.predictionId));
  return kExitOk;
}

}  // namespace meridian::app
