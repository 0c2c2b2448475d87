#pragma once
// What reports are made of, gathered from where Meridian keeps it: a project's cases (each
// case's latest prediction, labels, latest review and annotations) or an `infer` prediction
// file, turned into ReportData's plain structs. Qt-free: the CLI's `report`/`export` and the
// window's File > Export read through this one path.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "meridian/core/Annotations.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/project/ProjectStore.hpp"
#include "meridian/report/PdfReport.hpp"
#include "meridian/report/PredictionsCsv.hpp"
#include "meridian/report/ReportData.hpp"

namespace meridian::report {

struct ProjectCase {
  project::CaseRecord record;
  std::optional<Prediction> prediction;  // the latest one; nullopt when none (or unreadable: see note)
  std::string mapFile;                   // the latest prediction's map, absolute, or ""
  std::string note;                      // why a stored prediction could not be used, or ""
  std::vector<std::string> labels;
  std::optional<Review> review;  // the latest decision
  std::vector<core::Annotation> annotations;
};

/// The cases `ids` (every case, in the order added, when empty). A missing id is NotFound.
core::Result<std::vector<ProjectCase>> readProjectCases(const project::ProjectStore& store,
                                                        const std::vector<project::CaseId>& ids = {});

/// "case 12 (/data/ct.nii.gz)": how exports name a case to people.
std::string describeCase(const project::CaseRecord& record);

/// The CSV row of a case with a prediction.
CaseRow csvRow(const ProjectCase& c);

/// The study header: the first DICOM file's attributes when the case is DICOM (falling back to
/// what the project recorded), else the recorded ones. `hidePatient`: marked de-identified.
StudyHeader studyHeaderOf(const project::CaseRecord& record, bool hidePatient);

/// The DICOM images of a case, for an SR's references (empty for a case that is not DICOM).
std::vector<SourceImage> sourceImagesOf(const project::CaseRecord& record);

/// The PDF section of a case with a prediction: its study, a key image (the image itself with
/// the prediction's map over it for a 2D image; the project thumbnail for a volume or slide),
/// prediction, review and model summary.
core::Result<PdfReportInput> pdfInputOf(const project::ProjectStore& store, const ProjectCase& c, bool hidePatient);

/// A key image: a 2D image as it is or a volume's middle slice, with `mapFile`'s map over it when
/// the map is one plane that overlaps the image. nullopt when the input cannot be shown (a
/// slide, an unreadable file).
std::optional<KeyImage> keyImageOf(const std::filesystem::path& input, const std::filesystem::path& mapFile = {});

/// The PDF of an `infer` prediction file (<input>.prediction.json): the study from the input
/// when it is a DICOM file, the input (or `image`, when given) as key image with `mapFile` over
/// it, the model named in the file.
core::Result<PdfReportInput> pdfInputOfPredictionFile(const std::filesystem::path& predictionFile,
                                                      const std::filesystem::path& image,
                                                      const std::filesystem::path& mapFile, bool hidePatient);

}  // namespace meridian::report
