#pragma once
// How meridian-cli's commands write what the user named: through core::AtomicFile with a
// policy that never replaces an input and replaces an existing output only with --force.

#include <filesystem>
#include <string>
#include <vector>

#include "ExitCodes.hpp"
#include "meridian/core/AtomicFile.hpp"

namespace meridian::app {

inline core::OutputPolicy outputPolicy(bool force, std::vector<std::filesystem::path> inputs) {
  core::OutputPolicy policy;
  policy.replaceExisting = force;
  policy.inputs = std::move(inputs);
  return policy;
}

/// Prints a refused or failed write and returns its exit code (exitCodeFor): a refusal (the
/// output exists, is an input, is a device: InvalidArgument) is the user's to fix (2, with the
/// hint to pass --force where that helps); a write the system refused (full disk, read-only
/// folder: Io) is 1. Core names no flag, so the hint is added here.
inline int failOutput(const core::Error& error, Judged judged = Judged::Arguments) {
  const bool exists =
      exitCodeFor(error, judged) == kExitUsage && error.message.find("already exists") != std::string::npos;
  return fail(exitCodeFor(error, judged), error.message + (exists ? " (--force replaces it)" : ""));
}

}  // namespace meridian::app
