#pragma once
// meridian-cli report | export | audit verify: a project's (or a prediction file's) outputs for
// people and other programs. The work is in core/report (ReportInputs, ProjectExport) and
// core/project (AuditChain), which the window's File > Export shares; this is the command line.
// No model, no LibTorch: `report` reads predictions that `infer` or the window stored.

#include <CLI/CLI.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace meridian::app {

struct ReportCommandOptions {
  std::filesystem::path prediction, project, image, map, output;
  std::filesystem::path input, model;  // --input: run the model (default: the bundled one) and report
  std::vector<long long> cases;
  bool reviewedOnly = false, hidePatient = false, force = false;
  std::string reviewer, decision;  // --prediction: the review, when the person gives one
  std::string user;                // --project: the actor recorded in the audit trail
};

struct ExportCommandOptions {
  std::string format;
  std::filesystem::path project, map, output;
  std::vector<long long> cases;
  bool hidePatient = false, force = false, json = false;
  std::optional<int> dateShiftDays;
  std::string className = "heatmap", measurement = "score", user;
  std::optional<double> minValue;
};

struct AuditCommandOptions {
  CLI::App* verify = nullptr;
  std::filesystem::path project;
  bool json = false;
};

CLI::App* addReportCommand(CLI::App& cli, ReportCommandOptions& o);
int runReport(const ReportCommandOptions& o);
CLI::App* addExportCommand(CLI::App& cli, ExportCommandOptions& o);
int runExport(const ExportCommandOptions& o);
CLI::App* addAuditCommand(CLI::App& cli, AuditCommandOptions& o);
int runAudit(const AuditCommandOptions& o);

}  // namespace meridian::app
