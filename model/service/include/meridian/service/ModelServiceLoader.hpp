#pragma once
// Opens libmeridian_model_service.so on first use (ModelServiceLibrary.hpp). Linked by ui/
// and meridian-cli (target meridian_model_service_loader: no LibTorch, no Qt).

#include <filesystem>
#include <memory>
#include <vector>

#include "meridian/core/Result.hpp"
#include "meridian/service/ModelServiceLibrary.hpp"

namespace meridian::service {

/// Where the library is looked for: $MERIDIAN_MODEL_SERVICE_LIBRARY when set (that file
/// only), else beside the executable, then in ../lib (the build tree's and an install's).
std::vector<std::filesystem::path> modelServiceLibraryCandidates();

/// Loads the library once per process (later calls return the same answer) and returns its
/// table, initialised (its logging set up with `verbose` on the first call). Errors say which
/// files were tried and what the dynamic loader answered (e.g. a missing LibTorch).
core::Result<const ModelServiceTable*> loadModelServiceLibrary(bool verbose = false);

/// LibTorch's and OpenBLAS's threads for every model job of this process from now on (0 =
/// one per core, the default). Before the library is loaded the value is kept and applied
/// when it loads, so a window can set it at start without loading LibTorch.
void setComputeThreads(int threads);

/// loadModelServiceLibrary() then table->create().
core::Result<std::unique_ptr<ModelService>> createModelService(bool verbose = false);

/// loadModelServiceLibrary() then table->createTraining().
core::Result<std::unique_ptr<TrainingService>> createTrainingService(bool verbose = false);

}  // namespace meridian::service
