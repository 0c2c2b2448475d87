// meridian-cli project ... (see ProjectCommands.hpp). Thin: the work is in core/project.

#include "ProjectCommands.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "ExitCodes.hpp"
#include "JobProgressLine.hpp"
#include "meridian/core/JobRunner.hpp"
#include "meridian/project/CaseChecks.hpp"
#include "meridian/project/EditCommands.hpp"
#include "meridian/project/ProjectImport.hpp"
#include "meridian/project/ProjectStore.hpp"
#include "meridian/project/ReviewCommand.hpp"
#include "meridian/report/PredictionJson.hpp"

namespace meridian::app {
namespace {

using project::CaseId;
using project::ProjectStore;
using json = nlohmann::json;

core::Result<std::unique_ptr<ProjectStore>> openProject(const ProjectOptions& o, project::OpenMode mode) {
  auto store = ProjectStore::open(o.folder, mode);
  if (store && !o.actor.empty()) store.value()->setActor(o.actor);
  return store;
}

}  // namespace

core::Result<CaseId> resolveCase(const ProjectStore& store, const std::string& ref) {
  if (!ref.empty() && ref.find_first_not_of("0123456789") == std::string::npos) {
    const CaseId id = std::stoll(ref);
    if (auto c = store.getCase(id); !c) return c.error();
    return id;
  }
  std::error_code ec;
  const auto absolute = std::filesystem::absolute(ref, ec).lexically_normal().string();
  // Cases are stored by their canonical path (links resolved, as project add does), so a path
  // through a symlinked folder names the same case.
  auto canonical = std::filesystem::weakly_canonical(ref, ec).string();
  if (ec) canonical = absolute;
  for (const auto& candidate : {ref, absolute, canonical}) {
    auto found = store.findCase(candidate);
    if (!found) return found.error();
    if (found.value()) return *found.value();
  }
  return core::makeError(core::ErrorCode::NotFound, "the project has no case '" + ref + "' (give its id or its path)");
}

namespace {

/// Indented lines: where slices are missing, which files cannot be read and why.
std::string incompleteText(const project::Incompleteness& gaps) {
  std::ostringstream text;
  text.precision(6);
  text << "  " << gaps.missing.size() << (gaps.missing.size() == 1 ? " slice missing" : " slices missing");
  for (const auto& p : gaps.missing) text << "\n    at (" << p[0] << ", " << p[1] << ", " << p[2] << ") mm";
  text << "\n  " << gaps.unreadable.size() << (gaps.unreadable.size() == 1 ? " file cannot be read" : " files cannot be read");
  for (const auto& u : gaps.unreadable) text << "\n    " << u.file.string() << ": " << u.reason;
  return text.str();
}

int runCreate(const ProjectOptions& o) {
  auto store = ProjectStore::create(o.folder);
  if (!store) return fail(store.error());
  std::printf("created project %s\n", store.value()->folder().c_str());
  return kExitOk;
}

int runAdd(const ProjectOptions& o) {
  auto store = openProject(o, project::OpenMode::ReadWrite);
  if (!store) return fail(store.error());
  core::JobRunner runner(1);
  JobProgressLine line("project add");
  project::ImportReport report;
  const core::Status status = line.run(runner, "Add to project", [&](const core::JobControl& job) -> core::Status {
    auto r = project::importIntoProject(*store.value(), o.paths, job);
    if (!r) return r.error();
    report = std::move(r).value();
    return core::Ok{};
  });
  if (!status) return fail(status.error());
  for (const auto& f : report.failed)
    std::fprintf(stderr, "meridian-cli: could not add %s: %s\n", f.path.c_str(), f.reason.c_str());
  // An incomplete series joins with its mark; say so, never silently.
  for (const CaseId id : report.incomplete) {
    auto record = store.value()->getCase(id);
    if (!record) continue;
    auto gaps = project::incompletenessOf(record.value());
    std::printf("case %lld is an INCOMPLETE series: %s\n", static_cast<long long>(id), record.value().path.c_str());
    if (gaps) std::printf("%s\n", incompleteText(gaps.value()).c_str());
  }
  std::printf("added %zu case(s), %zu already in the project, %zu could not be added", report.added.size(),
              report.alreadyPresent.size(), report.failed.size());
  if (!report.incomplete.empty())
    std::printf("; %zu of the added are INCOMPLETE series (above)", report.incomplete.size());
  std::printf("\n");
  if (!report.added.empty() || report.failed.empty()) return kExitOk;
  return kExitBadInput;
}

json caseJson(const ProjectStore& store, const project::CaseRecord& c) {
  json j{{"id", c.id},           {"path", c.path},     {"kind", project::toString(c.kind)},
         {"format", c.format},   {"sha256", c.sha256}, {"bytes", c.byteSize},
         {"files", c.files.size()}, {"added", c.addedUtc}};
  // What the series lacks, in the shape `info --json` uses for a folder's series.
  auto gaps = project::incompletenessOf(c);
  j["complete"] = gaps && gaps.value().complete();
  j["missing"] = json::array();
  j["unreadable"] = json::array();
  if (gaps) {
    for (const auto& p : gaps.value().missing) j["missing"].push_back({p[0], p[1], p[2]});
    for (const auto& u : gaps.value().unreadable) j["unreadable"].push_back({{"file", u.file.string()}, {"reason", u.reason}});
  } else {
    j["incomplete_error"] = gaps.error().message;
  }
  if (!c.seriesUid.empty()) {
    j["dicom"] = {{"patientId", c.patientId},       {"patientName", c.patientName},
                  {"studyUid", c.studyUid},         {"studyDate", c.studyDate},
                  {"studyDescription", c.studyDescription}, {"seriesUid", c.seriesUid},
                  {"seriesNumber", c.seriesNumber}, {"seriesDescription", c.seriesDescription},
                  {"modality", c.modality}};
  }
  auto labels = store.labels(c.id);
  j["labels"] = labels ? labels.value() : std::vector<std::string>{};
  json predictions = json::array();
  if (auto ps = store.predictions(c.id))
    for (const auto& p : ps.value())
      predictions.push_back({{"id", p.id},
                             {"weightsSha256", p.weightsSha256},
                             {"outputs", json::parse(p.outputsJson, nullptr, false)},
                             {"mapFile", p.mapFile},
                             {"created", p.createdUtc}});
  j["predictions"] = predictions;
  json annotations = json::array();
  if (auto as = store.annotations(c.id))
    for (const auto& a : as.value()) annotations.push_back({{"id", a.id}, {"class", a.className},
                              {"points", a.patientPoints.empty() ? a.points.size() : a.patientPoints.size()}});
  j["annotations"] = annotations;
  auto reviews = store.reviews(c.id);
  j["reviews"] = reviews ? reviews.value().size() : 0;
  return j;
}

int runList(const ProjectOptions& o) {
  auto store = openProject(o, project::OpenMode::ReadOnly);
  if (!store) return fail(store.error());
  auto cases = store.value()->listCases();
  if (!cases) return fail(cases.error());
  if (o.json) {
    json out = json::array();
    for (const auto& c : cases.value()) out.push_back(caseJson(*store.value(), c));
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  for (const auto& c : cases.value()) {
    auto labels = store.value()->labels(c.id);
    std::string joined;
    if (labels)
      for (const auto& l : labels.value()) joined += (joined.empty() ? "" : ",") + l;
    std::printf("%5lld  %-6s  %s%s%s%s\n", static_cast<long long>(c.id), project::toString(c.kind), c.path.c_str(),
                c.seriesUid.empty() ? "" : ("  series " + std::to_string(c.seriesNumber)).c_str(),
                joined.empty() ? "" : ("  [" + joined + "]").c_str(), c.incompleteJson.empty() ? "" : "  INCOMPLETE");
  }
  std::printf("%zu case(s)\n", cases.value().size());
  return kExitOk;
}

int runCheck(const ProjectOptions& o) {
  auto store = openProject(o, project::OpenMode::ReadOnly);
  if (!store) return fail(store.error());
  auto checks = project::checkCases(*store.value());
  if (!checks) return fail(checks.error());
  std::size_t bad = 0;
  json out = json::array();
  for (const auto& k : checks.value()) {
    auto record = store.value()->getCase(k.caseId);
    if (!record) return fail(record.error());
    const auto& c = record.value();
    if (k.state != project::FileState::Unchanged) ++bad;
    if (o.json) out.push_back({{"id", c.id}, {"path", c.path}, {"state", project::toString(k.state)}, {"detail", k.detail}});
    else std::printf("%5lld  %-9s  %s%s%s\n", static_cast<long long>(c.id), project::toString(k.state), c.path.c_str(),
                     k.detail.empty() ? "" : ": ", k.detail.c_str());
  }
  if (o.json) std::cout << out.dump(2) << "\n";
  return bad == 0 ? kExitOk : kExitBadInput;
}

int runLabel(const ProjectOptions& o, bool on) {
  auto store = openProject(o, project::OpenMode::ReadWrite);
  if (!store) return fail(store.error());
  auto id = resolveCase(*store.value(), o.caseRef);
  if (!id) return fail(id.error());
  const auto s = on ? store.value()->addLabel(id.value(), o.className) : store.value()->removeLabel(id.value(), o.className);
  if (!s) return fail(s.error());
  std::printf("case %lld: %s '%s'\n", static_cast<long long>(id.value()), on ? "labelled" : "unlabelled", o.className.c_str());
  return kExitOk;
}

/// One edit per stdin line; "ok N" on stdout once edit N is committed (the acknowledgement a
/// script, or the kill test, relies on), "error MESSAGE" when it failed.
///   label CASE CLASS | unlabel CASE CLASS | annotate CASE ID X,Y [X,Y ...] [class=NAME]
///   | unannotate CASE ID | undo | redo
int runSession(const ProjectOptions& o) {
  auto opened = openProject(o, project::OpenMode::ReadWrite);
  if (!opened) return fail(opened.error());
  ProjectStore& store = *opened.value();
  project::UndoStack undo(store);
  std::printf("ready\n");
  std::fflush(stdout);
  std::string line;
  std::size_t committed = 0;
  while (std::getline(std::cin, line)) {
    std::istringstream words(line);
    std::string verb, caseRef, arg;
    words >> verb;
    if (verb.empty()) continue;
    if (verb == "quit") break;
    core::Status s = core::Ok{};
    if (verb == "undo") {
      s = undo.undo();
    } else if (verb == "redo") {
      s = undo.redo();
    } else {
      words >> caseRef >> arg;
      auto id = resolveCase(store, caseRef);
      if (!id) {
        s = id.error();
      } else if (verb == "label") {
        s = undo.push(project::makeAddLabel(id.value(), arg));
      } else if (verb == "unlabel") {
        s = undo.push(project::makeRemoveLabel(id.value(), arg));
      } else if (verb == "annotate") {
        core::Annotation a;
        a.id = arg;
        std::string token;
        while (words >> token) {
          double x = 0, y = 0;
          if (token.rfind("class=", 0) == 0) a.className = token.substr(6);
          else if (std::sscanf(token.c_str(), "%lf,%lf", &x, &y) == 2) a.points.push_back({x, y});
        }
        a.shape = a.points.size() == 1 ? core::AnnotationShape::Point : core::AnnotationShape::Polygon;
        s = undo.push(project::makePutAnnotation(id.value(), a));
      } else if (verb == "unannotate") {
        s = undo.push(project::makeRemoveAnnotation(id.value(), arg));
      } else {
        s = core::makeError(core::ErrorCode::InvalidArgument, "unknown edit '" + verb + "'");
      }
    }
    if (s) std::printf("ok %zu\n", ++committed);
    else std::printf("error %s\n", s.error().message.c_str());
    std::fflush(stdout);
  }
  return kExitOk;
}

/// Stores a prediction file that `infer --out` wrote as the case's prediction (with a model run
/// naming the model), so that reports and exports of the project include it.
int runAddPrediction(const ProjectOptions& o) {
  auto record = report::readPredictionFile(o.predictionFile);
  if (!record) return fail(record.error(), Judged::InputFile);
  json outputs = json::parse(std::ifstream(o.predictionFile), nullptr, /*allow_exceptions=*/false);
  if (outputs.is_object()) outputs.erase("embedding");  // hundreds of numbers no report shows
  auto store = openProject(o, project::OpenMode::ReadWrite);
  if (!store) return fail(store.error());
  auto id = resolveCase(*store.value(), o.caseRef);
  if (!id) return fail(id.error());
  const report::Prediction& p = record.value().prediction;
  project::ModelRun run;
  run.task = "inference";
  run.modelName = p.modelName;
  run.weightsSha256 = p.weightsSha256;
  run.parametersJson = json{{"imported_from", std::filesystem::absolute(o.predictionFile).string()}}.dump();
  auto runId = store.value()->startModelRun(run);
  if (!runId) return fail(runId.error());
  project::Prediction prediction;
  prediction.caseId = id.value();
  prediction.runId = runId.value();
  prediction.weightsSha256 = p.weightsSha256;
  prediction.outputsJson = outputs.dump();
  auto pid = store.value()->addPrediction(prediction);
  if (!pid) return fail(pid.error());
  if (auto finished = store.value()->finishModelRun(runId.value(), "succeeded"); !finished) return fail(finished.error());
  std::printf("case %lld: prediction %lld recorded (%s)\n", static_cast<long long>(id.value()),
              static_cast<long long>(pid.value()), p.modelName.c_str());
  return kExitOk;
}

/// A reviewer's decision on a case's latest prediction.
int runReview(const ProjectOptions& o) {
  if (o.decision == "correct" && o.correction.empty())
    return fail(kExitUsage, "a 'correct' decision needs --correction LABEL (the right label)");
  auto store = openProject(o, project::OpenMode::ReadWrite);
  if (!store) return fail(store.error());
  auto id = resolveCase(*store.value(), o.caseRef);
  if (!id) return fail(id.error());
  project::ReviewDecision d;
  d.caseId = id.value();
  d.decision = o.decision;
  d.correction = o.correction;
  if (auto ps = store.value()->predictions(id.value()); ps && !ps.value().empty()) d.predictionId = ps.value().back().id;
  // The window's Review panel applies the same edit: a correction also becomes the case's label.
  if (auto reviewed = project::makeAddReview(d)->apply(*store.value()); !reviewed) return fail(reviewed.error());
  std::printf("case %lld: %s%s\n", static_cast<long long>(id.value()), o.decision.c_str(),
              o.correction.empty() ? "" : (" to " + o.correction).c_str());
  return kExitOk;
}

}  // namespace

CLI::App* addProjectCommand(CLI::App& cli, ProjectOptions& o) {
  auto* cmd = cli.add_subcommand("project", "Make and read a project: a folder of cases, labels, predictions and decisions");
  cmd->require_subcommand(1);
  cmd->add_option("--user", o.actor, "Name recorded in the project's event log for the edits");
  o.create = cmd->add_subcommand("create", "Make a new project folder");
  o.create->add_option("folder", o.folder, "Project folder (created if missing)")->required();
  o.add = cmd->add_subcommand("add", "Add files, folders, DICOM series, DICOMDIRs and slides as cases");
  o.add->add_option("folder", o.folder, "Project folder")->required();
  o.add->add_option("paths", o.paths, "Files or folders to add")->required();
  o.list = cmd->add_subcommand("list", "List the project's cases");
  o.list->add_option("folder", o.folder, "Project folder")->required();
  o.list->add_flag("--json", o.json,
                   "A JSON array of cases (id, path, kind, sha256, complete/missing/unreadable, labels, predictions, ...)");
  o.check = cmd->add_subcommand("check", "Re-hash every case's files: which moved or changed since they were added");
  o.check->add_option("folder", o.folder, "Project folder")->required();
  o.check->add_flag("--json", o.json, "Machine-readable output");
  o.label = cmd->add_subcommand("label", "Give a case an image-level label");
  o.unlabel = cmd->add_subcommand("unlabel", "Take an image-level label off a case");
  for (auto* c : {o.label, o.unlabel}) {
    c->add_option("folder", o.folder, "Project folder")->required();
    c->add_option("case", o.caseRef, "Case id or path")->required();
    c->add_option("class", o.className, "Label class")->required();
  }
  o.session = cmd->add_subcommand("session", "Apply labelling edits read from stdin, one per line, acknowledging each ('ok N')");
  o.session->add_option("folder", o.folder, "Project folder")->required();
  o.addPrediction = cmd->add_subcommand("add-prediction", "Record a prediction file from infer --out as a case's prediction");
  o.addPrediction->add_option("folder", o.folder, "Project folder")->required();
  o.addPrediction->add_option("case", o.caseRef, "Case id or path")->required();
  o.addPrediction->add_option("prediction", o.predictionFile, "<input>.prediction.json")->required();
  o.review = cmd->add_subcommand("review", "Record a reviewer's decision on a case's latest prediction");
  o.review->add_option("folder", o.folder, "Project folder")->required();
  o.review->add_option("case", o.caseRef, "Case id or path")->required();
  o.review->add_option("decision", o.decision, "accept | reject | correct")
      ->required()
      ->check(CLI::IsMember({"accept", "reject", "correct"}));
  o.review->add_option("--correction", o.correction, "correct: the right label");
  addProjectModelCommands(*cmd, o);
  addProjectTrainCommands(*cmd, o.training);
  return cmd;
}

int runProject(const ProjectOptions& o) {
  if (*o.create) return runCreate(o);
  if (*o.add) return runAdd(o);
  if (*o.list) return runList(o);
  if (*o.check) return runCheck(o);
  if (*o.label) return runLabel(o, true);
  if (*o.unlabel) return runLabel(o, false);
  if (*o.session) return runSession(o);
  if (*o.addPrediction) return runAddPrediction(o);
  if (*o.review) return runReview(o);
  if (*o.predict) return runProjectPredict(o);
  if (*o.explain) return runProjectExplain(o);
  if (projectTrainChosen(o.training)) return runProjectTrain(o.training, o.actor);
  return kExitUsage;
}

}  // namespace meridian::app
