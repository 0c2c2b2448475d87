#include "meridian/report/ProjectExport.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>
#include <variant>

#include "meridian/core/AnnotationsGeoJson.hpp"
#include "meridian/core/HeatmapGeoJson.hpp"
#include "meridian/io/InputOpener.hpp"
#include "meridian/io/MapReader.hpp"
#include "meridian/report/PdfReport.hpp"
#include "meridian/report/PredictionsCsv.hpp"
#include "meridian/report/ReportInputs.hpp"
#include "meridian/report/SlideDeidentifier.hpp"
#include "meridian/report/StructuredReport.hpp"

namespace meridian::report {
using core::ErrorCode;
using core::makeError;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr std::pair<ExportFormat, const char*> kNames[] = {{ExportFormat::Pdf, "pdf"},
                                                           {ExportFormat::Csv, "csv"},
                                                           {ExportFormat::GeoJson, "geojson"},
                                                           {ExportFormat::Sr, "sr"},
                                                           {ExportFormat::Deid, "deid"}};

core::Status cancelledIf(const core::JobControl* job) {
  if (job && job->cancelled())
    return makeError(ErrorCode::Cancelled, "the export was cancelled; the files written so far are kept");
  return core::Ok{};
}

void progress(const core::JobControl* job, std::size_t done, std::size_t total) {
  if (job) job->report({"cases", done, total, -1, {}});
}

/// Where one case's file goes: `output` itself for a one-case export, else inside it.
fs::path caseTarget(const ProjectExportRequest& r, project::CaseId id, const std::string& suffix) {
  if (r.cases.size() == 1) return r.output;
  return r.output / ("case-" + std::to_string(id) + suffix);
}

core::Status makeFolder(const fs::path& folder) {
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) return makeError(ErrorCode::Io, folder.string() + ": cannot create the output folder: " + ec.message());
  return core::Ok{};
}

bool hasPatient(const StudyHeader& s) {
  return !s.deidentified && (!s.patientName.empty() || !s.patientId.empty() || !s.patientBirthDate.empty());
}

core::Status exportPdf(const project::ProjectStore& store, const std::vector<ProjectCase>& cases,
                       const ProjectExportRequest& r, ProjectExportSummary& s, const core::JobControl* job) {
  std::vector<PdfReportInput> inputs;
  for (const auto& c : cases) {
    if (auto stop = cancelledIf(job); !stop) return stop;
    if (r.reviewedOnly && !c.review) {
      s.skipped.push_back(describeCase(c.record) + ": not reviewed");
      continue;
    }
    auto in = pdfInputOf(store, c, r.hidePatient);
    if (!in) {
      s.skipped.push_back(in.error().message);
      continue;
    }
    for (const auto& card : r.knownCards)
      if (!card.weightsSha256.empty() && card.weightsSha256 == in.value().modelCard.weightsSha256)
        in.value().modelCard = card;
    s.identifiesPatients = s.identifiesPatients || hasPatient(in.value().study);
    inputs.push_back(std::move(in).value());
  }
  if (inputs.empty()) return makeError(ErrorCode::InvalidArgument, "no case to report: none has a prediction" +
                                                                       std::string(r.reviewedOnly ? " and a review" : ""));
  if (auto written = writePdfReports(inputs, r.output, r.policy, job); !written) return written;
  s.cases = inputs.size();
  s.written.push_back(r.output);
  return core::Ok{};
}

core::Status exportCsv(const std::vector<ProjectCase>& cases, const ProjectExportRequest& r, ProjectExportSummary& s) {
  std::vector<CaseRow> rows;
  for (const auto& c : cases) {
    if (!c.prediction) {
      s.skipped.push_back(describeCase(c.record) + ": no prediction" + (c.note.empty() ? "" : " (" + c.note + ")"));
      continue;
    }
    rows.push_back(csvRow(c));
  }
  if (rows.empty()) return makeError(ErrorCode::InvalidArgument, "no case has a prediction to export");
  if (auto written = writePredictionsCsv(rows, r.output, r.policy); !written) return written;
  s.cases = rows.size();
  s.written.push_back(r.output);
  return core::Ok{};
}

/// The volume a case's plane shapes lie in, when it has any (nullopt inside: none to place).
core::Result<std::optional<core::Volume>> volumeOfPlaneShapes(const ProjectCase& c) {
  const bool any = std::any_of(c.annotations.begin(), c.annotations.end(),
                               [](const core::Annotation& a) { return !a.patientPoints.empty(); });
  if (!any) return std::optional<core::Volume>();
  io::OpenInputOptions options;
  options.seriesUid = c.record.seriesUid;
  options.allowIncomplete = true;  // the geometry is what counts here, and the project accepted the case
  auto opened = io::openInput(c.record.path, options);
  if (!opened) return makeError(opened.error().code, "cannot open its volume to place its shapes: " + opened.error().message);
  auto* volume = std::get_if<core::Volume>(&opened.value().image.content);
  if (!volume) return makeError(ErrorCode::InvalidArgument, "its shapes lie on a volume's planes, but it is not a volume");
  return std::optional<core::Volume>(std::move(*volume));
}

core::Status exportGeoJson(const project::ProjectStore& store, const std::vector<ProjectCase>& cases,
                           const ProjectExportRequest& r, ProjectExportSummary& s, const core::JobControl* job) {
  auto classes = store.listClasses();
  if (!classes) return classes.error();
  if (r.cases.size() != 1)
    if (auto made = makeFolder(r.output); !made) return made;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    if (auto stop = cancelledIf(job); !stop) return stop;
    const ProjectCase& c = cases[i];
    bool exported = false;
    if (!c.annotations.empty()) {
      core::AnnotationSet set;
      set.annotations = c.annotations;
      for (const auto& k : classes.value()) set.classes.push_back({k.name, {k.red, k.green, k.blue}});
      // Shapes on a volume's planes are stored in patient space: the volume's geometry gives
      // their voxel coordinates too (toGeoJson). A volume that cannot be opened leaves the case out.
      auto volume = volumeOfPlaneShapes(c);
      if (!volume) {
        s.skipped.push_back(describeCase(c.record) + ": " + volume.error().message);
        progress(job, i + 1, cases.size());
        continue;
      }
      const core::Volume* grid = volume.value() ? &*volume.value() : nullptr;
      const fs::path target = caseTarget(r, c.record.id, ".geojson");
      if (auto w = core::writeFileAtomically(target, core::toGeoJson(set, grid), r.policy); !w) return w;
      s.written.push_back(target);
      exported = true;
    }
    // A slide's heatmap as QuPath tiles, beside its annotations (a folder export only).
    if (c.record.kind == project::CaseKind::Slide && !c.mapFile.empty() && r.cases.size() != 1) {
      if (auto map = io::readMap(c.mapFile)) {
        core::HeatmapCellsOptions options;
        if (c.prediction) options.className = c.prediction->labels[topLabelIndex(*c.prediction)];
        if (auto cells = core::heatmapCellsGeoJson(map.value(), options)) {
          const fs::path target = r.output / ("case-" + std::to_string(c.record.id) + "-heatmap.geojson");
          if (auto w = core::writeFileAtomically(target, cells.value(), r.policy); !w) return w;
          s.written.push_back(target);
          exported = true;
        }
      }
    }
    if (exported) ++s.cases;
    else s.skipped.push_back(describeCase(c.record) + ": no annotations");
    progress(job, i + 1, cases.size());
  }
  if (s.written.empty()) return makeError(ErrorCode::InvalidArgument, "no case has annotations to export");
  return core::Ok{};
}

core::Status exportSr(const std::vector<ProjectCase>& cases, const ProjectExportRequest& r, ProjectExportSummary& s,
                      const core::JobControl* job) {
  if (r.cases.size() != 1)
    if (auto made = makeFolder(r.output); !made) return made;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    if (auto stop = cancelledIf(job); !stop) return stop;
    const ProjectCase& c = cases[i];
    if (!c.prediction) {
      s.skipped.push_back(describeCase(c.record) + ": no prediction" + (c.note.empty() ? "" : " (" + c.note + ")"));
      continue;
    }
    StructuredReportInput in;
    in.study = studyHeaderOf(c.record, r.hidePatient);
    in.sources = sourceImagesOf(c.record);
    in.prediction = *c.prediction;
    if (c.review) in.review = *c.review;
    const fs::path target = caseTarget(r, c.record.id, ".dcm");
    if (auto w = writeStructuredReport(in, target, r.policy); !w) return w;
    s.identifiesPatients = s.identifiesPatients || hasPatient(in.study);
    s.written.push_back(target);
    ++s.cases;
    progress(job, i + 1, cases.size());
  }
  if (s.written.empty()) return makeError(ErrorCode::InvalidArgument, "no case has a prediction to export as SR");
  return core::Ok{};
}

core::Status exportDeid(const std::vector<ProjectCase>& cases, const ProjectExportRequest& r, ProjectExportSummary& s,
                        const core::JobControl* job) {
  if (auto made = makeFolder(r.output); !made) return made;
  DicomDeidentifier deid(r.deid);  // one UID map: a study's cases still belong together
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const ProjectCase& c = cases[i];
    // A TIFF-based slide: copied without its label and macro images (SlideDeidentifier.hpp).
    if (c.record.kind == project::CaseKind::Slide && looksLikeTiff(c.record.path)) {
      if (auto stop = cancelledIf(job); !stop) return stop;
      const fs::path target =
          r.output / ("case-" + std::to_string(c.record.id) + fs::path(c.record.path).extension().string());
      if (auto slide = writeSlideWithoutLabel(c.record.path, target, r.policy); !slide) {
        s.skipped.push_back(describeCase(c.record) + ": " + slide.error().message);
      } else {
        s.written.push_back(target);
        ++s.cases;
      }
      progress(job, i + 1, cases.size());
      continue;
    }
    if (c.record.format != "DICOM" && c.record.seriesUid.empty()) {
      s.skipped.push_back(describeCase(c.record) +
                          ": not DICOM and not a TIFF slide (only those are de-identified)");
      continue;
    }
    std::size_t written = 0;
    for (const auto& file : c.record.files) {
      if (auto stop = cancelledIf(job); !stop) return stop;
      auto out = deid.writeInto(file.path, r.output);
      if (!out) {
        s.skipped.push_back(describeCase(c.record) + ": " + out.error().message);
        continue;
      }
      s.written.push_back(out.value());
      ++written;
    }
    if (written) ++s.cases;
    progress(job, i + 1, cases.size());
  }
  if (s.written.empty()) return makeError(ErrorCode::InvalidArgument, "no DICOM or TIFF slide case could be de-identified");
  return core::Ok{};
}

}  // namespace

const char* toString(ExportFormat format) {
  for (const auto& [f, name] : kNames)
    if (f == format) return name;
  return "?";
}

std::optional<ExportFormat> exportFormatFromString(const std::string& text) {
  for (const auto& [f, name] : kNames)
    if (text == name) return f;
  return std::nullopt;
}

core::Result<ProjectExportSummary> exportProject(project::ProjectStore& store, const ProjectExportRequest& request,
                                                 const core::JobControl* job) {
  auto cases = readProjectCases(store, request.cases);
  if (!cases) return cases.error();
  if (cases.value().empty()) return makeError(ErrorCode::InvalidArgument, "the project has no cases to export");
  ProjectExportSummary summary;
  core::Status done = core::Ok{};
  switch (request.format) {
    case ExportFormat::Pdf: done = exportPdf(store, cases.value(), request, summary, job); break;
    case ExportFormat::Csv: done = exportCsv(cases.value(), request, summary); break;
    case ExportFormat::GeoJson: done = exportGeoJson(store, cases.value(), request, summary, job); break;
    case ExportFormat::Sr: done = exportSr(cases.value(), request, summary, job); break;
    case ExportFormat::Deid: done = exportDeid(cases.value(), request, summary, job); break;
  }
  if (!done) return done.error();
  // The audit trail says what left the project, and whether it names patients.
  if (!store.isReadOnly()) {
    json ids = json::array();
    for (const auto& c : cases.value()) ids.push_back(c.record.id);
    const json payload = {{"format", toString(request.format)},
                          {"output", fs::absolute(request.output).lexically_normal().string()},
                          {"cases", ids},
                          {"files", summary.written.size()},
                          {"deidentified", request.format == ExportFormat::Deid || !summary.identifiesPatients}};
    if (auto recorded = store.recordEvent("export", std::nullopt, payload.dump()); !recorded) return recorded.error();
    summary.recorded = true;
  }
  return summary;
}

}  // namespace meridian::report
