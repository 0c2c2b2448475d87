#pragma once
// De-identified copies of DICOM files, following the Basic Application Level Confidentiality
// Profile of DICOM PS3.15 Annex E (Table E.1-1): each listed attribute is removed, emptied,
// given a dummy value or (UIDs) replaced, at every depth of nested sequences; private
// attributes, curves and overlay data are removed; UIDs are replaced consistently across
// everything one DicomDeidentifier writes, so a study's files still belong together. With a
// date shift (the "Retain Longitudinal Temporal Information with Modified Dates" option) the
// dates the option lists move by the same number of days instead.
//
// Files whose pixels carry burned-in text (Burned In Annotation = YES) are refused, not
// written: the profile's attribute rules cannot remove a name drawn into the image, and a
// flagged copy in a folder of "de-identified" files is one a person will share by mistake.
//
// Outputs are written to a temporary file beside the target and renamed into place; an input
// file is never overwritten. DCMTK stays private to this target.

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "meridian/core/JobControl.hpp"
#include "meridian/core/Result.hpp"

namespace meridian::report {

struct DeidOptions {
  /// Days to move every date the longitudinal-dates option lists (negative: earlier); nullopt:
  /// the basic profile's action (dates emptied or replaced by 19000101).
  std::optional<int> dateShiftDays;
};

class DicomDeidentifier {
 public:
  explicit DicomDeidentifier(DeidOptions options = {});
  ~DicomDeidentifier();
  DicomDeidentifier(const DicomDeidentifier&) = delete;
  DicomDeidentifier& operator=(const DicomDeidentifier&) = delete;

  /// Writes the de-identified copy of `input` to exactly `output`.
  core::Status writeTo(const std::filesystem::path& input, const std::filesystem::path& output);

  /// Writes the de-identified copy of `input` as `outputDir`/<new Series Instance UID>/<new SOP
  /// Instance UID>.dcm (names carry nothing of the original paths, which often hold a patient's
  /// name) and returns that path.
  core::Result<std::filesystem::path> writeInto(const std::filesystem::path& input,
                                                const std::filesystem::path& outputDir);

  /// How many distinct original UIDs have been replaced so far.
  std::size_t uidsReplaced() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct DeidSummary {
  std::vector<std::filesystem::path> written;                          // output files
  std::vector<std::pair<std::filesystem::path, core::Error>> refused;  // inputs not exported, and why
  std::size_t notDicom = 0;      // files in a folder that are not DICOM Part 10 files (skipped)
  std::size_t uidsReplaced = 0;  // distinct original UIDs replaced
};

/// De-identifies one DICOM file or every DICOM Part 10 file below a folder. A file input with an
/// output that is not an existing folder is written to exactly `output`; otherwise the copies
/// go into the `output` folder as writeInto() names them. One UID map serves the whole call.
/// A refused file (burned-in text, unreadable) is listed in the summary, the others are
/// written; the call itself fails only when nothing could be attempted (missing input, an
/// output inside the input folder, cancel).
core::Result<DeidSummary> deidentify(const std::filesystem::path& input, const std::filesystem::path& output,
                                     const DeidOptions& options, const core::JobControl* job = nullptr);

}  // namespace meridian::report
