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
// - Files that cannot be read are listed in `failed` with the reason, and the rest are
//   added: an error return means the whole import could not run (ErrorCode::Cancelled when
//   cancelled: the message says how many cases were added before; those stay), or the
//   project refused writes.
// - Reads headers, not pixels, where the format allows (DICOM, slides); ordinary images
//   are opened once to check that they decode.

#include <filesystem>
#include <string>
#include <vector>

#include "meridian/core/JobControl.hpp"
#include "meridian/core/JobRunner.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/project/ProjectStore.hpp"

namespace meridian::project {

struct ImportFailure {
  std::filesystem::path path;
  std::string reason;
};

struct ImportReport {
  std::vector<CaseId> added;
  std::vector<CaseId> alreadyPresent;
  std::vector<ImportFailure> failed;
};

/// A series' digest: SHA-256 of the lines "<sha256>  <path relative to base>\n" sorted by
/// path (sha256sum's output), so any changed, added or missing file changes it.
std::string seriesDigest(const std::vector<CaseFile>& files, const std::filesystem::path& base);

core::Result<ImportReport> importIntoProject(ProjectStore& store, const std::vector<std::filesystem::path>& paths,
                                             const core::JobControl& job = core::JobControl());

}  // namespace meridian::project
