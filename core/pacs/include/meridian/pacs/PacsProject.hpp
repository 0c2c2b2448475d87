#pragma once
// The PACS actions on a project, shared by `meridian-cli pacs get|store --project` and the
// window's PACS dialog: retrieve a study or series into the project, and send a case's DICOM
// SR back. Both are recorded in the project's audit trail ("pacs.retrieve", "pacs.store").
//
// A retrieve never leaves a partial download in the project: the objects arrive in a hidden
// folder beside the project's files (<project>/pacs/.incoming-<random>), which becomes
// <project>/pacs/<study UID>[_<series UID>] and is added (project::importIntoProject) only
// when the server sent everything it announced. A refusal, a lost connection, a cancel or an
// object the server could not send removes that folder and adds nothing.

#include <filesystem>
#include <string>
#include <vector>

#include "meridian/core/JobControl.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/pacs/PacsClient.hpp"
#include "meridian/project/ProjectImport.hpp"
#include "meridian/project/ProjectStore.hpp"

namespace meridian::pacs {

struct ProjectRetrieveSummary {
  std::filesystem::path folder;  // where the retrieved files now lie, inside the project
  std::size_t objects = 0;
  project::ImportReport imported;
};

core::Result<ProjectRetrieveSummary> retrieveIntoProject(project::ProjectStore& store, const PacsServer& server,
                                                         const RetrieveRequest& request,
                                                         const core::JobControl& job = core::JobControl());

struct CaseSendSummary {
  std::string srSopInstanceUid;  // the SR that was sent
  bool identifiesPatient = true;  // false when sent with the patient left out
};

/// Writes the DICOM Comprehensive SR of the case's latest prediction (report::exportProject,
/// the same SR as File > Export) into a temporary file and sends it with C-STORE. Refused
/// when the case has no prediction. `hidePatient` leaves the patient attributes out of the SR.
core::Result<CaseSendSummary> sendCaseReport(project::ProjectStore& store, const PacsServer& server,
                                             project::CaseId caseId, bool hidePatient = false,
                                             const core::JobControl& job = core::JobControl());

/// Records a C-STORE of files chosen by hand in the project's audit trail (what the CLI's
/// `pacs store --project DIR FILES...` calls after store()).
core::Status recordStore(project::ProjectStore& store, const PacsServer& server,
                         const std::vector<std::filesystem::path>& files, const StoreSummary& summary);

}  // namespace meridian::pacs
