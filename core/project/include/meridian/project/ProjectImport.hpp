#pragma once
// Adding files, folders, DICOM series, DICOMDIRs and slides to a project, as a job
// (run it through core::JobRunner; the CLI's `project add` and the window's "Add files..."
// both call importIntoProject).
//
// Contract:
// - Each path may be an image/volume/slide file, a DICOMDIR, or a folder. A folder is
//   walked recursively: its DICOM files become one case per series, every other file the
//   readers recognise becomes one case, and files no reader takes are listed as failed.
// - Every case is hashed (SHA-256 of its bytes) and committed on its own, so a kill or a
//   cancel keeps what was added before it. A path (and series) already in the project is
//   not added twice (listed in alreadyPresent).
// - Folders and DICOMDIRs are listed through io::listInput (InputOpener.hpp), as every
//   front end lists them: a series with a gap in its slice positions or with members that
//   cannot be read joins the project WITH that mark (CaseRecord::incompleteJson, listed in
//   `incomplete`), never silently; a series none of whose files can be read, and DICOM
//   files too damaged to place in a series, are listed in `failed`.
// - Files that cannot be read are listed in `failed` with the reason, and the rest are
//   added: an error return means the whole import could not run (ErrorCode::Cancelled when
//   cancelled: the message says how many cases were added before; those stay), or the
//   project refused writes.
// - Reads headers, not pixels, where the format allows (DICOM, slides); ordinary images
//   are opened once to check that they decode.

#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "meridian/core/JobControl.hpp"
#include "meridian/core/JobRunner.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/io/DicomSeries.hpp"
#include "meridian/project/ProjectStore.hpp"

namespace meridian::project {

struct ImportFailure {
  std::filesystem::path path;
  std::string reason;
};

struct ImportReport {
  std::vector<CaseId> added;
  std::vector<CaseId> incomplete;  // of `added`: series with missing slices or unreadable members
  std::vector<CaseId> alreadyPresent;
  std::vector<ImportFailure> failed;
};

/// What an incomplete series lacks, as its case keeps it (CaseRecord::incompleteJson).
struct Incompleteness {
  std::vector<std::array<double, 3>> missing;  // slice positions (patient LPS, mm) a gap leaves empty
  std::vector<io::UnreadableFile> unreadable;  // members that cannot be read, with the reason
  bool complete() const { return missing.empty() && unreadable.empty(); }
};

/// {"missing": [[x, y, z], ...], "unreadable": [{"file": ..., "reason": ...}, ...]}; "" when complete.
std::string toJson(const Incompleteness& gaps);
/// The case's mark read back (complete for a case without one); Corrupt when the stored text
/// is not what toJson writes.
core::Result<Incompleteness> incompletenessOf(const CaseRecord& record);

/// A series' content digest: SHA-256 of its files' SHA-256s, sorted, one per line ("<hex>\n").
/// Any changed, added or missing file changes it; where the files lie (a folder scan or a
/// DICOMDIR, a moved folder) does not.
std::string seriesDigest(const std::vector<CaseFile>& files);

core::Result<ImportReport> importIntoProject(ProjectStore& store, const std::vector<std::filesystem::path>& paths,
                                             const core::JobControl& job = core::JobControl());

}  // namespace meridian::project
