#include "meridian/report/ReportInputs.hpp"

#include <map>
#include <variant>

#include "meridian/io/MapReader.hpp"
#include "meridian/io/ReaderRegistry.hpp"
#include "meridian/project/Thumbnails.hpp"
#include "meridian/report/DicomStudyHeader.hpp"
#include "meridian/report/PredictionJson.hpp"

namespace meridian::report {
using core::ErrorCode;
using core::makeError;
namespace fs = std::filesystem;

namespace {

bool isDicom(const project::CaseRecord& r) { return r.format == "DICOM" || !r.seriesUid.empty(); }

/// The first file of a case (a series' folder is not a file).
std::string firstFile(const project::CaseRecord& r) { return r.files.empty() ? r.path : r.files.front().path; }

Review reviewOf(const project::ReviewDecision& d) {
  Review r;
  r.reviewer = d.reviewer;
  r.decision = d.decision + (d.correction.empty() ? "" : " to " + d.correction);
  r.timeUtc = d.decidedUtc;
  return r;
}

/// A map file in the map convention (pixel centres on integers) as the overlay PdfReport draws
/// (cell edges): the inverse of core::heatmapToMapVolume.
std::optional<core::Heatmap> heatmapOf(const fs::path& mapFile) {
  auto map = io::readMap(mapFile);
  if (!map || map.value().size()[2] != 1) return std::nullopt;
  const core::Volume& v = map.value();
  core::Heatmap h;
  h.width = v.size()[0];
  h.height = v.size()[1];
  h.cellWidth = v.spacing[0];
  h.cellHeight = v.spacing[1];
  h.originX = v.origin[0] + 0.5 - 0.5 * v.spacing[0];
  h.originY = v.origin[1] + 0.5 - 0.5 * v.spacing[1];
  h.values.reserve(v.voxelCount());
  for (int j = 0; j < h.height; ++j)
    for (int i = 0; i < h.width; ++i) h.values.push_back(static_cast<float>(v.valueAt(i, j, 0)));
  return h;
}

/// A header with no patient attribute at all (a photo, a PNG) identifies nobody: writers then say
/// "no patient attributes" instead of warning that the report names the patient.
void hideOrMarkPatient(StudyHeader& s, bool hidePatient) {
  if (hidePatient) s.patientName = s.patientId = s.patientBirthDate = s.patientSex = s.accessionNumber = "";
  if (s.patientName.empty() && s.patientId.empty() && s.patientBirthDate.empty() && s.accessionNumber.empty())
    s.deidentified = true;
}

}  // namespace

std::string describeCase(const project::CaseRecord& record) {
  return "case " + std::to_string(record.id) + " (" + record.path + ")";
}

core::Result<std::vector<ProjectCase>> readProjectCases(const project::ProjectStore& store,
                                                        const std::vector<project::CaseId>& ids) {
  std::vector<project::CaseRecord> records;
  if (ids.empty()) {
    auto all = store.listCases();
    if (!all) return all.error();
    records = std::move(all).value();
  } else {
    for (const project::CaseId id : ids) {
      auto record = store.getCase(id);
      if (!record) return record.error();
      records.push_back(std::move(record).value());
    }
  }
  auto runs = store.listModelRuns();
  if (!runs) return runs.error();
  std::map<project::ModelRunId, project::ModelRun> runById;
  for (auto& run : runs.value()) runById[run.id] = run;

  std::vector<ProjectCase> out;
  for (auto& record : records) {
    ProjectCase c;
    c.record = std::move(record);
    const project::CaseId id = c.record.id;
    auto predictions = store.predictions(id);
    if (!predictions) return predictions.error();
    if (!predictions.value().empty()) {
      const project::Prediction& p = predictions.value().back();
      std::string modelName;
      if (p.runId && runById.count(*p.runId)) modelName = runById[*p.runId].modelName;
      auto parsed = predictionFromJson(p.outputsJson, modelName, p.weightsSha256);
      if (parsed) c.prediction = std::move(parsed).value().prediction;
      else c.note = "its prediction " + std::to_string(p.id) + " cannot be reported: " + parsed.error().message;
      if (!p.mapFile.empty()) c.mapFile = (store.folder() / p.mapFile).string();
    }
    auto labels = store.labels(id);
    if (!labels) return labels.error();
    c.labels = std::move(labels).value();
    auto reviews = store.reviews(id);
    if (!reviews) return reviews.error();
    if (!reviews.value().empty()) c.review = reviewOf(reviews.value().back());
    auto annotations = store.annotations(id);
    if (!annotations) return annotations.error();
    c.annotations = std::move(annotations).value();
    out.push_back(std::move(c));
  }
  return out;
}

CaseRow csvRow(const ProjectCase& c) {
  CaseRow row;
  row.caseId = c.record.path + (c.record.seriesUid.empty() ? "" : " series " + c.record.seriesUid);
  if (c.prediction) row.prediction = *c.prediction;
  for (const auto& l : c.labels) row.label += (row.label.empty() ? "" : ";") + l;
  if (c.review) row.review = *c.review;
  return row;
}

StudyHeader studyHeaderOf(const project::CaseRecord& record, bool hidePatient) {
  StudyHeader s;
  if (isDicom(record))
    if (auto source = readReportSource(firstFile(record))) s = source.value().study;
  if (s.studyInstanceUid.empty()) {  // not DICOM, or its file is gone: what the project recorded
    s.patientName = record.patientName;
    s.patientId = record.patientId;
    s.studyInstanceUid = record.studyUid;
    s.studyDate = record.studyDate;
    s.studyDescription = record.studyDescription;
    s.modality = record.modality;
  }
  if (s.studyDescription.empty()) s.studyDescription = fs::path(record.path).filename().string();
  hideOrMarkPatient(s, hidePatient);
  return s;
}

std::vector<SourceImage> sourceImagesOf(const project::CaseRecord& record) {
  std::vector<SourceImage> sources;
  if (!isDicom(record)) return sources;
  std::vector<std::string> files;
  for (const auto& f : record.files) files.push_back(f.path);
  if (files.empty()) files.push_back(record.path);
  for (const auto& file : files)
    if (auto source = readReportSource(file)) sources.push_back(source.value().image);
  return sources;
}

core::Result<PdfReportInput> pdfInputOf(const project::ProjectStore& store, const ProjectCase& c, bool hidePatient) {
  if (!c.prediction)
    return makeError(ErrorCode::InvalidArgument,
                     describeCase(c.record) + " has no prediction to report" + (c.note.empty() ? "" : ": " + c.note));
  PdfReportInput in;
  in.title = "Meridian report: case " + std::to_string(c.record.id);
  in.study = studyHeaderOf(c.record, hidePatient);
  in.prediction = *c.prediction;
  in.modelCard.name = c.prediction->modelName;
  in.modelCard.weightsSha256 = c.prediction->weightsSha256;
  if (c.review) in.review = *c.review;
  // The key image: a 2D image with its map over it; a volume or slide as its thumbnail.
  if (c.record.kind == project::CaseKind::Image) {
    if (auto key = keyImageOf(firstFile(c.record), c.mapFile)) in.keyImages.push_back(std::move(*key));
  } else if (auto thumbnail = project::ensureThumbnail(store, c.record)) {
    if (auto key = keyImageOf(thumbnail.value())) {
      key->caption = std::string(project::toString(c.record.kind)) + " " +
                     fs::path(c.record.path).filename().string() + " (overview)";
      in.keyImages.push_back(std::move(*key));
    }
  }
  return in;
}

std::optional<KeyImage> keyImageOf(const fs::path& input, const fs::path& mapFile) {
  auto opened = io::ReaderRegistry::builtin().open(input);
  if (!opened) return std::nullopt;
  KeyImage key;
  key.caption = input.filename().string();
  if (const auto* image = std::get_if<core::Image2D>(&opened.value().content)) {
    key.image = *image;
  } else if (const auto* volume = std::get_if<core::Volume>(&opened.value().content)) {
    const int middle = volume->size()[2] / 2;
    auto slice = volume->slice(middle);
    if (!slice) return std::nullopt;
    key.image = std::move(slice).value();
    key.caption += ", slice " + std::to_string(middle + 1) + " of " + std::to_string(volume->size()[2]);
  } else {
    return std::nullopt;
  }
  if (!mapFile.empty())
    if (auto overlay = heatmapOf(mapFile); overlay && core::renderHeatmapOverlay(key.image, *overlay).ok()) {
      key.overlay = std::move(overlay);
      key.overlayLabel = "model map (" + mapFile.filename().string() + ")";
    }
  return key;
}

core::Result<PdfReportInput> pdfInputOfPredictionFile(const fs::path& predictionFile, const fs::path& image,
                                                      const fs::path& mapFile, bool hidePatient) {
  auto record = readPredictionFile(predictionFile);
  if (!record) return record.error();
  const fs::path input = image.empty() ? fs::path(record.value().input) : image;
  PdfReportInput in;
  in.prediction = record.value().prediction;
  in.modelCard.name = in.prediction.modelName;
  in.modelCard.weightsSha256 = in.prediction.weightsSha256;
  if (!input.empty()) {
    if (auto source = readReportSource(input)) in.study = source.value().study;
    if (in.study.studyDescription.empty()) in.study.studyDescription = input.filename().string();
    if (in.study.modality.empty()) in.study.modality = record.value().modality;
    if (auto key = keyImageOf(input, mapFile)) in.keyImages.push_back(std::move(*key));
    else if (!mapFile.empty())
      return makeError(ErrorCode::NotFound, input.string() + ": cannot be read to show the map over it");
  }
  hideOrMarkPatient(in.study, hidePatient);
  return in;
}

}  // namespace meridian::report
