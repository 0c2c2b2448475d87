#include "meridian/service/ModelServiceLoader.hpp"

#include <mutex>
#include <optional>

#include "meridian/core/SharedLibrary.hpp"

namespace meridian::service {
namespace fs = std::filesystem;

std::vector<fs::path> modelServiceLibraryCandidates() {
  return core::sharedLibraryCandidates("libmeridian_model_service.so", "MERIDIAN_MODEL_SERVICE_LIBRARY");
}

namespace {
// The thread cap asked for, and the table once loaded, so setComputeThreads() can apply it
// now or at load, whichever comes last.
struct ComputeThreads {
  std::mutex mutex;
  std::optional<int> threads;
  const ModelServiceTable* table = nullptr;
};
ComputeThreads& computeThreads() {
  static ComputeThreads state;
  return state;
}
}  // namespace

void setComputeThreads(int threads) {
  auto& state = computeThreads();
  std::lock_guard lk(state.mutex);
  state.threads = threads;
  if (state.table) state.table->setComputeThreads(threads);
}

core::Result<const ModelServiceTable*> loadModelServiceLibrary(bool verbose) {
  static const core::Result<const ModelServiceTable*> loaded = [verbose]() -> core::Result<const ModelServiceTable*> {
    auto symbol = core::openLibraryEntry(modelServiceLibraryCandidates(), MERIDIAN_MODEL_SERVICE_ENTRY,
                                         "the model service library libmeridian_model_service.so",
                                         "Build it (target meridian_model_service) or reinstall Meridian.");
    if (!symbol) return symbol.error();
    using Entry = const ModelServiceTable* (*)();
    const ModelServiceTable* table = reinterpret_cast<Entry>(symbol.value())();
    bool same = table != nullptr && table->tableSize == sizeof(ModelServiceTable);
    for (std::size_t i = 0; same && i < kModelServiceStructCount; ++i)
      same = table->structSizes[i] == kModelServiceStructSizes[i];
    if (!same)
      return core::makeError(core::ErrorCode::Internal,
                             "the model service library cannot be loaded: it was built from other sources than this "
                             "program (its table or structs differ); rebuild or reinstall Meridian");
    table->initialize(verbose);
    auto& threads = computeThreads();
    std::lock_guard lk(threads.mutex);
    threads.table = table;
    if (threads.threads) table->setComputeThreads(*threads.threads);
    return table;
  }();
  return loaded;
}

core::Result<std::unique_ptr<ModelService>> createModelService(bool verbose) {
  auto table = loadModelServiceLibrary(verbose);
  if (!table) return table.error();
  auto service = table.value()->create();
  if (!service) return core::makeError(core::ErrorCode::Internal, "the model service library made no service");
  return service;
}

core::Result<std::unique_ptr<TrainingService>> createTrainingService(bool verbose) {
  auto table = loadModelServiceLibrary(verbose);
  if (!table) return table.error();
  auto service = table.value()->createTraining();
  if (!service) return core::makeError(core::ErrorCode::Internal, "the model service library made no training service");
  return service;
}

}  // namespace meridian::service
