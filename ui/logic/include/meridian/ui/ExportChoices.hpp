#pragma once
// File ▸ Export, Qt-free: the menu's entries (format x current case / whole project), what each
// asks for (a file with a filter, or a folder), and the report::ProjectExportRequest it runs.
// The Qt part (ExportMenu) only shows these and submits exportProject as a job; the CLI's
// `report` and `export` run the same exportProject.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "meridian/core/Result.hpp"
#include "meridian/project/ProjectRecords.hpp"
#include "meridian/report/ProjectExport.hpp"

namespace meridian::ui {

enum class ExportScope { CurrentCase, Project };

struct ExportChoice {
  report::ExportFormat format = report::ExportFormat::Pdf;
  ExportScope scope = ExportScope::Project;
  bool hidePatient = false;  // a report without patient attributes
  std::string menuText;      // "PDF report of the case…"
};

/// The entries of File ▸ Export, in menu order.
const std::vector<ExportChoice>& exportChoices();

/// True when the choice writes one file (a save dialog), false when it fills a folder.
bool writesOneFile(const ExportChoice& choice);
/// The save dialog's filter ("PDF report (*.pdf)"); "" for folder choices.
std::string fileFilter(const ExportChoice& choice);
/// A name to offer: "case-3-report.pdf", "project-predictions.csv", "deidentified" ...
std::string suggestedName(const ExportChoice& choice, std::optional<project::CaseId> currentCase);

/// The request for `choice` written to `output`. The person chose `output` in a dialog that
/// asked before replacing, so existing files may be replaced; the project's database never.
/// Fails (InvalidArgument) for a case choice with no case selected.
core::Result<report::ProjectExportRequest> exportRequest(const ExportChoice& choice,
                                                         std::optional<project::CaseId> currentCase,
                                                         const std::filesystem::path& output,
                                                         const std::filesystem::path& projectFolder);

/// One line for the status bar: "Exported 2 case(s) as pdf to /x/report.pdf (names patients)".
std::string exportDoneText(const report::ProjectExportSummary& summary, const report::ProjectExportRequest& request);

}  // namespace meridian::ui
