#pragma once
// Everything a project exports, in one call that the CLI (`meridian-cli report`, `export`) and
// the window (File > Export, as a job) share: a PDF report of its cases, a CSV of predictions and
// labels, GeoJSON of annotations (and heatmap cells where a prediction has a slide map), a DICOM
// SR per case, de-identified copies of its DICOM cases. Each export is recorded in the project's
// audit trail ("export" event: format, output, cases, whether the output identifies patients)
// when the store is writable.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "meridian/core/AtomicFile.hpp"
#include "meridian/core/JobControl.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/project/ProjectStore.hpp"
#include "meridian/report/DicomDeidentifier.hpp"
#include "meridian/report/ReportData.hpp"

namespace meridian::report {

enum class ExportFormat { Pdf, Csv, GeoJson, Sr, Deid };
const char* toString(ExportFormat format);  // "pdf", "csv", "geojson", "sr", "deid"
std::optional<ExportFormat> exportFormatFromString(const std::string& text);

struct ProjectExportRequest {
  ExportFormat format = ExportFormat::Pdf;
  std::vector<project::CaseId> cases;  // empty: every case of the project
  /// pdf, csv: the file. geojson, sr: the file when one case is asked for, else a folder that
  /// gets case-<id>.geojson / case-<id>.dcm. deid: a folder.
  std::filesystem::path output;
  core::OutputPolicy policy;  // what the written files may replace
  bool reviewedOnly = false;  // pdf: only cases with a review decision
  bool hidePatient = false;   // pdf, sr: leave patient attributes out
  DeidOptions deid;
  /// pdf: model cards the caller knows (the model it ran): a case whose prediction has one of
  /// these weights' SHA-256 shows that card's training data and metrics. The project keeps only
  /// the model's name and SHA-256, so without a card the report shows those two alone.
  std::vector<ModelCardSummary> knownCards;
};

struct ProjectExportSummary {
  std::vector<std::filesystem::path> written;
  std::vector<std::string> skipped;  // "case 3 (...): why", one per case left out
  std::size_t cases = 0;             // cases exported
  bool identifiesPatients = false;   // the output carries patient attributes
  bool recorded = false;             // the export is in the project's audit trail
};

/// Exports per `request`. Fails when nothing could be exported (no case has what the format
/// needs: the message says what is missing), when the output is refused by the policy, or when
/// a write fails (a file already written by this call stays; none is half-written).
core::Result<ProjectExportSummary> exportProject(project::ProjectStore& store, const ProjectExportRequest& request,
                                                 const core::JobControl* job = nullptr);

}  // namespace meridian::report
