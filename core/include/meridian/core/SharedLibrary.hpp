#pragma once
// The one dlopen helper: opening a library of Meridian's own on first use and finding its
// one exported entry function. Used by meridian-cli's model commands and by the model
// service loader, so that a process maps LibTorch only when it first runs a model.

#include <filesystem>
#include <string>
#include <vector>

#include "meridian/core/Result.hpp"

namespace meridian::core {

/// Folder of the running executable (/proc/self/exe; the working directory if unknown).
std::filesystem::path executableDirectory();

/// Where `fileName` is looked for: only $`overrideVariable` when that is set and non-empty;
/// else beside the executable, then in its ../lib (the build tree's and an install's layout).
std::vector<std::filesystem::path> sharedLibraryCandidates(const std::string& fileName, const char* overrideVariable);

/// Opens the first candidate that exists (RTLD_NOW: a missing symbol is reported here, not
/// mid-command; RTLD_LOCAL: its copies of our libraries stay out of the global scope) and
/// returns the address of `entry`. The handle stays open for the life of the process.
/// Errors: "WHAT FILE is missing; looked for: ..." + `buildHint`, or "WHAT cannot be loaded:
/// <dlerror>" when a candidate exists but does not load (no fall-through to another copy).
core::Result<void*> openLibraryEntry(const std::vector<std::filesystem::path>& candidates, const std::string& entry,
                                     const std::string& what, const std::string& buildHint);

}  // namespace meridian::core
