// meridian-cli report | export | audit (see ReportCommands.hpp). Thin: options, output checks,
// exit codes and printing; core/report and core/project do the work.

#include "ReportCommands.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "ExitCodes.hpp"
#include "JobProgressLine.hpp"
#include "OutputFiles.hpp"
#include "ProjectCommands.hpp"
#include "meridian/core/HeatmapGeoJson.hpp"
#include "meridian/io/MapReader.hpp"
#include "meridian/project/AuditChain.hpp"
#include "meridian/project/ProjectImport.hpp"
#include "meridian/project/ProjectStore.hpp"
#include "meridian/report/PdfReport.hpp"
#include "meridian/report/ProjectExport.hpp"
#include "meridian/report/ReportInputs.hpp"
#include "meridian/service/ReportCard.hpp"

namespace meridian::app {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using project::ProjectStore;

std::vector<project::CaseId> caseIds(const std::vector<long long>& ids) { return {ids.begin(), ids.end()}; }

/// The project, opened for writing when it is free so the export lands in its audit trail;
/// read-only (and said so) when another program has it open.
core::Result<std::unique_ptr<ProjectStore>> openForExport(const fs::path& folder, const std::string& user) {
  auto store = ProjectStore::open(folder, project::OpenMode::ReadWriteOrReadOnly);
  if (!store) return store;
  if (!user.empty()) store.value()->setActor(user);
  if (store.value()->isReadOnly())
    std::fprintf(stderr, "meridian-cli: warning: %s is open elsewhere (read-only here): this export is not recorded "
                         "in its audit trail\n", folder.c_str());
  return store;
}

/// Checks the output before any work: a file for one-file formats, else a folder.
core::Status checkExportTarget(const report::ProjectExportRequest& r) {
  const bool folder = r.format == report::ExportFormat::Deid ||
                      ((r.format == report::ExportFormat::GeoJson || r.format == report::ExportFormat::Sr) &&
                       r.cases.size() != 1);
  return folder ? core::checkOutputFolder(r.output, r.policy) : core::checkOutputTarget(r.output, r.policy);
}

int runProjectExport(const fs::path& folder, const std::string& user, report::ProjectExportRequest request,
                     bool printJson) {
  request.policy = outputPolicy(request.policy.replaceExisting, {folder / ProjectStore::kDatabaseName});
  if (auto allowed = checkExportTarget(request); !allowed) return failOutput(allowed.error());
  auto store = openForExport(folder, user);
  if (!store) return fail(store.error());
  core::Result<report::ProjectExportSummary> result = [&] {
    JobProgressLine progress(std::string("export ") + report::toString(request.format));
    auto r = report::exportProject(*store.value(), request, &progress.job());
    progress.finish();
    return r;
  }();
  // The project lacks what the format needs, or holds a bad file: 3; the disk refused: 1.
  if (!result) return fail(result.error(), Judged::InputFile);
  const report::ProjectExportSummary& s = result.value();
  for (const auto& why : s.skipped) std::fprintf(stderr, "meridian-cli: left out %s\n", why.c_str());
  if (printJson) {
    json written = json::array();
    for (const auto& f : s.written) written.push_back(f.string());
    std::cout << json{{"format", report::toString(request.format)}, {"output", request.output.string()},
                      {"cases", s.cases}, {"written", written}, {"skipped", s.skipped},
                      {"identifies_patients", s.identifiesPatients}, {"recorded_in_audit_trail", s.recorded}}
                     .dump(2)
              << "\n";
  } else {
    std::printf("exported %zu case(s) as %s to %s (%zu file(s))%s\n", s.cases, report::toString(request.format),
                request.output.c_str(), s.written.size(),
                s.identifiesPatients ? "; NOT de-identified: it names patients" : "");
    if (!s.skipped.empty()) std::printf("left out %zu case(s); see the messages above\n", s.skipped.size());
  }
  return kExitOk;
}

/// report --input: the model on one image, volume or slide, reported. It goes through a scratch
/// project in the temporary folder, so the prediction is made by the code `project predict` and
/// the window's model panel run (model service) and the PDF by the project export's code; the
/// scratch project is removed at the end, whatever happened.
int runInputReport(const ReportCommandOptions& o) {
  if (auto allowed = core::checkOutputTarget(o.output, outputPolicy(o.force, {o.input})); !allowed)
    return failOutput(allowed.error());
  std::string pattern = (fs::temp_directory_path() / "meridian-report-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    return fail(kExitFailure, "cannot make a scratch folder in " + fs::temp_directory_path().string());
  struct RemoveOnExit {
    fs::path folder;
    ~RemoveOnExit() {
      std::error_code ec;
      fs::remove_all(folder, ec);
    }
  } scratch{pattern};
  ProjectOptions project;
  project.folder = scratch.folder / "project";
  project.modelDir = o.model;
  project.actor = o.user;
  {
    auto store = ProjectStore::create(project.folder);
    if (!store) return fail(store.error());
    core::JobControl job;
    auto added = project::importIntoProject(*store.value(), {o.input}, job);
    if (!added) return fail(added.error(), Judged::InputFile);
    if (added.value().added.empty()) {
      const std::string why = added.value().failed.empty() ? "nothing to add" : added.value().failed.front().reason;
      return fail(kExitBadInput, o.input.string() + ": cannot be read: " + why);
    }
  }
  service::ModelCardView card;
  if (const int rc = runProjectPredict(project, &card); rc != kExitOk) return rc;
  report::ProjectExportRequest request;
  request.knownCards.push_back(service::reportCardOf(card));
  request.format = report::ExportFormat::Pdf;
  request.output = o.output;
  request.policy.replaceExisting = o.force;
  request.hidePatient = o.hidePatient;
  return runProjectExport(project.folder, o.user, request, false);
}

}  // namespace

// --- report ----------------------------------------------------------------------------------

CLI::App* addReportCommand(CLI::App& cli, ReportCommandOptions& o) {
  auto* cmd = cli.add_subcommand("report", "Write a PDF report: of a prediction file from infer, or of a project's cases");
  auto* prediction = cmd->add_option("--prediction", o.prediction, "A <input>.prediction.json written by infer --out");
  auto* project = cmd->add_option("--project", o.project, "A project folder: one section per case with a prediction");
  auto* input = cmd->add_option("--input", o.input, "An image, volume, DICOM series folder or slide: run the model on it and report");
  prediction->excludes(project);
  input->excludes(prediction)->excludes(project);
  cmd->add_option("--model", o.model, "--input: the model folder (default: the bundled model)");
  cmd->add_option("--out", o.output, "The PDF to write")->required();
  cmd->add_option("--image", o.image, "--prediction: the image to show (default: the input named in the file)");
  cmd->add_option("--map", o.map, "--prediction: a map (.nii.gz from explain) drawn over the image");
  cmd->add_option("--reviewer", o.reviewer, "--prediction: who reviewed it");
  cmd->add_option("--decision", o.decision, "--prediction: the reviewer's decision");
  cmd->add_option("--case", o.cases, "--project: only these case ids (repeatable)");
  cmd->add_flag("--reviewed-only", o.reviewedOnly, "--project: only cases with a review decision");
  cmd->add_flag("--deidentified", o.hidePatient, "Leave patient name, ID, birth date, sex and accession out");
  cmd->add_option("--user", o.user, "--project: name recorded in the audit trail for this export");
  cmd->add_flag("--force", o.force, "Replace the PDF if it exists (never an input)");
  return cmd;
}

int runReport(const ReportCommandOptions& o) {
  if (int(!o.prediction.empty()) + int(!o.project.empty()) + int(!o.input.empty()) != 1)
    return fail(kExitUsage, "report needs one of --input PATH, --prediction FILE or --project FOLDER");
  if (!o.input.empty()) return runInputReport(o);
  if (!o.project.empty()) {
    report::ProjectExportRequest request;
    request.format = report::ExportFormat::Pdf;
    request.cases = caseIds(o.cases);
    request.output = o.output;
    request.policy.replaceExisting = o.force;
    request.reviewedOnly = o.reviewedOnly;
    request.hidePatient = o.hidePatient;
    return runProjectExport(o.project, o.user, request, false);
  }
  const core::OutputPolicy policy = outputPolicy(o.force, {o.prediction, o.image, o.map});
  if (auto allowed = core::checkOutputTarget(o.output, policy); !allowed) return failOutput(allowed.error());
  auto in = report::pdfInputOfPredictionFile(o.prediction, o.image, o.map, o.hidePatient);
  if (!in) return fail(in.error(), Judged::InputFile);
  in.value().review.reviewer = o.reviewer;
  in.value().review.decision = o.decision;
  if (!o.reviewer.empty()) in.value().review.timeUtc = ProjectStore::utcNow();
  if (auto written = report::writePdfReport(in.value(), o.output, policy); !written) return failOutput(written.error());
  std::printf("wrote %s (%s, weights SHA-256 %s)%s\n", o.output.c_str(), in.value().prediction.modelName.c_str(),
              in.value().prediction.weightsSha256.c_str(),
              in.value().study.deidentified || in.value().study.patientName.empty() ? "" : "; it names the patient");
  return kExitOk;
}

// --- export ----------------------------------------------------------------------------------

CLI::App* addExportCommand(CLI::App& cli, ExportCommandOptions& o) {
  auto* cmd = cli.add_subcommand(
      "export", "Export a project's cases (csv, geojson, sr, deid, pdf), or a slide heatmap's cells as GeoJSON");
  cmd->add_option("--format", o.format, "csv | geojson | sr | deid | pdf")
      ->required()
      ->check(CLI::IsMember({"csv", "geojson", "sr", "deid", "pdf"}));
  auto* project = cmd->add_option("--project", o.project, "Project folder");
  auto* map = cmd->add_option("--map", o.map, "geojson: a slide heatmap map file (.nii.gz) instead of a project");
  project->excludes(map);
  cmd->add_option("--out", o.output,
                  "File (csv, pdf; geojson and sr of one --case; --map), else folder (case-<id>.geojson, case-<id>.dcm, "
                  "de-identified copies)")
      ->required();
  cmd->add_option("--case", o.cases, "Only these case ids (repeatable; default: every case)");
  cmd->add_flag("--deidentified", o.hidePatient, "pdf, sr: leave patient attributes out");
  cmd->add_option("--date-shift", o.dateShiftDays, "deid: move dates by this many days instead of removing them");
  cmd->add_option("--class", o.className, "--map: the cells' classification name");
  cmd->add_option("--measurement", o.measurement, "--map: the cells' measurement name");
  cmd->add_option("--min", o.minValue, "--map: leave out cells below this value");
  cmd->add_option("--user", o.user, "Name recorded in the audit trail for this export");
  cmd->add_flag("--force", o.force, "Replace existing outputs (never an input)");
  cmd->add_flag("--json", o.json, "Machine-readable summary on stdout");
  return cmd;
}

int runExport(const ExportCommandOptions& o) {
  const auto format = report::exportFormatFromString(o.format);
  if (!format) return fail(kExitUsage, "unknown export format '" + o.format + "'");
  if (!o.map.empty()) {
    if (*format != report::ExportFormat::GeoJson) return fail(kExitUsage, "--map exports GeoJSON cells: use --format geojson");
    const core::OutputPolicy policy = outputPolicy(o.force, {o.map});
    if (auto allowed = core::checkOutputTarget(o.output, policy); !allowed) return failOutput(allowed.error());
    auto map = io::readMap(o.map);
    if (!map) return fail(map.error(), Judged::InputFile);
    core::HeatmapCellsOptions options;
    options.className = o.className;
    options.measurementName = o.measurement;
    if (o.minValue) options.minValue = *o.minValue;
    auto cells = core::heatmapCellsGeoJson(map.value(), options);
    if (!cells) return fail(kExitBadInput, o.map.string() + ": " + cells.error().message);
    if (auto w = core::writeFileAtomically(o.output, cells.value(), policy); !w) return failOutput(w.error());
    const auto features = json::parse(cells.value())["features"].size();
    if (o.json) std::cout << json{{"format", "geojson"}, {"output", o.output.string()}, {"cells", features}}.dump(2) << "\n";
    else std::printf("wrote %zu heatmap cell(s) to %s\n", features, o.output.c_str());
    return kExitOk;
  }
  if (o.project.empty()) return fail(kExitUsage, "export needs --project FOLDER (or --map FILE for heatmap cells)");
  report::ProjectExportRequest request;
  request.format = *format;
  request.cases = caseIds(o.cases);
  request.output = o.output;
  request.policy.replaceExisting = o.force;
  request.hidePatient = o.hidePatient;
  request.deid.dateShiftDays = o.dateShiftDays;
  return runProjectExport(o.project, o.user, request, o.json);
}

// --- audit -----------------------------------------------------------------------------------

CLI::App* addAuditCommand(CLI::App& cli, AuditCommandOptions& o) {
  auto* cmd = cli.add_subcommand("audit", "A project's audit trail (the hash-chained event log)");
  cmd->require_subcommand(1);
  o.verify = cmd->add_subcommand("verify", "Check that no event was changed, removed or reordered (exit 3 if one was)");
  o.verify->add_option("project", o.project, "Project folder")->required();
  o.verify->add_flag("--json", o.json, "Machine-readable verdict");
  return cmd;
}

int runAudit(const AuditCommandOptions& o) {
  auto store = ProjectStore::open(o.project, project::OpenMode::ReadOnly);
  if (!store) return fail(store.error());
  auto verdict = store.value()->verifyEvents();
  if (!verdict) return fail(verdict.error(), Judged::InputFile);
  const project::AuditVerdict& v = verdict.value();
  if (o.json) {
    std::cout << json{{"intact", v.intact},
                      {"events_checked", v.eventsChecked},
                      {"first_broken_event", v.firstBrokenSequence},
                      {"problem", v.problem},
                      {"head_hash", v.headHash}}
                     .dump(2)
              << "\n";
  } else if (v.intact) {
    std::printf("OK: %zu event(s) verified; head hash %s\n", v.eventsChecked, v.headHash.c_str());
  } else {
    std::printf("TAMPERED: %s\n", v.problem.c_str());
  }
  if (v.intact) return kExitOk;
  return fail(kExitBadInput, o.project.string() + ": the audit trail does not verify from event " +
                                 std::to_string(v.firstBrokenSequence) + " on");
}

}  // namespace meridian::app
