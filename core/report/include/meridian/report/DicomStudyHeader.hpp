#pragma once
// The study header and source-image reference of a report, read from a DICOM file's
// attributes (headers only, no pixels): what the SR and PDF writers take, so that a caller with
// a DICOM input needs no DCMTK of its own.

#include <filesystem>
#include <utility>

#include "meridian/core/Result.hpp"
#include "meridian/report/ReportData.hpp"

namespace meridian::report {

struct DicomReportSource {
  StudyHeader study;
  SourceImage image;
};

/// Reads patient, study and the image's UIDs from `path`. Fails (Corrupt / Unsupported) when it
/// is not a DICOM file DCMTK can read, or lacks the UIDs a reference needs.
core::Result<DicomReportSource> readReportSource(const std::filesystem::path& path);

}  // namespace meridian::report
