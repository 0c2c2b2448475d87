#pragma once
// Checking every case's files against what the project recorded (ProjectStore::checkCase):
// a file that is gone is Missing, one whose SHA-256 differs is Changed. One implementation
// for `meridian-cli project check` and the case browser's check job (which marks those
// cases with a ⚠ and warns before opening one).
//
// Reads every file, so run it as a job: progress per case, cancel between cases
// (ErrorCode::Cancelled). Qt-free.

#include <vector>

#include "meridian/core/JobControl.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/project/ProjectStore.hpp"

namespace meridian::project {

/// One CaseCheck per case, in the order listCases() gives them.
core::Result<std::vector<CaseCheck>> checkCases(const ProjectStore& store,
                                                const core::JobControl& job = core::JobControl());

}  // namespace meridian::project
