#include "meridian/ui/ExportChoices.hpp"

#include "meridian/project/ProjectStore.hpp"

namespace meridian::ui {
using report::ExportFormat;

const std::vector<ExportChoice>& exportChoices() {
  static const std::vector<ExportChoice> choices = {
      {ExportFormat::Pdf, ExportScope::CurrentCase, false, "PDF report of the case…"},
      {ExportFormat::Pdf, ExportScope::Project, false, "PDF report of the project…"},
      {ExportFormat::Pdf, ExportScope::Project, true, "PDF report of the project, without patient details…"},
      {ExportFormat::Csv, ExportScope::Project, false, "CSV of predictions and labels…"},
      {ExportFormat::GeoJson, ExportScope::CurrentCase, false, "GeoJSON annotations of the case…"},
      {ExportFormat::GeoJson, ExportScope::Project, false, "GeoJSON annotations and heatmaps of the project…"},
      {ExportFormat::Sr, ExportScope::CurrentCase, false, "DICOM SR of the case…"},
      {ExportFormat::Sr, ExportScope::Project, false, "DICOM SR of every case…"},
      {ExportFormat::Deid, ExportScope::Project, false, "De-identified copies of the DICOM cases…"},
  };
  return choices;
}

bool writesOneFile(const ExportChoice& c) {
  switch (c.format) {
    case ExportFormat::Pdf:
    case ExportFormat::Csv: return true;
    case ExportFormat::GeoJson:
    case ExportFormat::Sr: return c.scope == ExportScope::CurrentCase;
    case ExportFormat::Deid: return false;
  }
  return false;
}

std::string fileFilter(const ExportChoice& c) {
  if (!writesOneFile(c)) return "";
  switch (c.format) {
    case ExportFormat::Pdf: return "PDF report (*.pdf)";
    case ExportFormat::Csv: return "CSV (*.csv)";
    case ExportFormat::GeoJson: return "GeoJSON (*.geojson *.json)";
    case ExportFormat::Sr: return "DICOM SR (*.dcm)";
    case ExportFormat::Deid: break;
  }
  return "";
}

std::string suggestedName(const ExportChoice& c, std::optional<project::CaseId> currentCase) {
  const std::string who = c.scope == ExportScope::CurrentCase && currentCase
                              ? "case-" + std::to_string(*currentCase)
                              : std::string("project");
  switch (c.format) {
    case ExportFormat::Pdf: return who + (c.hidePatient ? "-report-deidentified.pdf" : "-report.pdf");
    case ExportFormat::Csv: return who + "-predictions.csv";
    case ExportFormat::GeoJson: return writesOneFile(c) ? who + "-annotations.geojson" : who + "-geojson";
    case ExportFormat::Sr: return writesOneFile(c) ? who + "-findings.dcm" : who + "-sr";
    case ExportFormat::Deid: return who + "-deidentified";
  }
  return who;
}

core::Result<report::ProjectExportRequest> exportRequest(const ExportChoice& c,
                                                         std::optional<project::CaseId> currentCase,
                                                         const std::filesystem::path& output,
                                                         const std::filesystem::path& projectFolder) {
  report::ProjectExportRequest r;
  r.format = c.format;
  if (c.scope == ExportScope::CurrentCase) {
    if (!currentCase)
      return core::makeError(core::ErrorCode::InvalidArgument, "select a case in the Cases panel first");
    r.cases = {*currentCase};
  }
  r.output = output;
  r.hidePatient = c.hidePatient;
  r.policy.replaceExisting = true;  // the save dialog asked
  r.policy.inputs = {projectFolder / project::ProjectStore::kDatabaseName};
  return r;
}

std::string exportDoneText(const report::ProjectExportSummary& s, const report::ProjectExportRequest& r) {
  std::string text = "Exported " + std::to_string(s.cases) + " case(s) as " + report::toString(r.format) + " to " +
                     r.output.string();
  if (s.identifiesPatients) text += " (names patients: not de-identified)";
  if (!s.skipped.empty()) text += "; left out " + std::to_string(s.skipped.size()) + ": " + s.skipped.front();
  return text;
}

}  // namespace meridian::ui
