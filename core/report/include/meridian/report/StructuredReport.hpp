#pragma once
// A DICOM Comprehensive SR of a model's findings, written with DCMTK's dcmsr: the class
// probabilities (one NUM per label) and the top finding, the model's identification (name and
// weights SHA-256, as device observer and algorithm), the reviewer and decision when there is
// one, and references to the source images (in the content tree and in Current Requested
// Procedure Evidence). The SR joins the source study when its Study Instance UID is known.

#include <filesystem>
#include <vector>

#include "meridian/core/AtomicFile.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/report/ReportData.hpp"

namespace meridian::report {

struct StructuredReportInput {
  StudyHeader study;
  std::vector<SourceImage> sources;
  Prediction prediction;
  std::vector<Measurement> measurements;
  Review review;  // empty reviewer: not reviewed yet
};

/// Writes the SR to `output` (temporary file, then rename) if `policy` allows it. Fails with
/// InvalidArgument for a prediction validatePrediction() refuses or a source with malformed UIDs.
core::Status writeStructuredReport(const StructuredReportInput& input, const std::filesystem::path& output,
                                   const core::OutputPolicy& policy = {});

}  // namespace meridian::report
