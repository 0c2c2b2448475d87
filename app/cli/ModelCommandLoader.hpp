#pragma once
// Opens the model command library (ModelCommandLibrary.hpp) on first use.

#include <filesystem>
#include <vector>

#include "ModelCommandLibrary.hpp"
#include "meridian/core/Result.hpp"

namespace meridian::app {

/// Where the library is looked for, in order: $MERIDIAN_CLI_MODEL_LIBRARY when set (a file),
/// else beside the executable, then in ../lib (the build tree's and an installation's layout).
std::vector<std::filesystem::path> modelLibraryCandidates();

/// Loads the library (once per process) and returns its command table. Errors say which files
/// were tried and what the dynamic loader answered (dlerror), e.g. a missing LibTorch.
core::Result<const ModelCommands*> loadModelCommands();

}  // namespace meridian::app
