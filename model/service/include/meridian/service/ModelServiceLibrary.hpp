#pragma once
// The boundary between the front ends (ui/, meridian-cli) and libmeridian_model_service.so.
// The library exports one C function returning a table of plain function pointers. Both
// sides are built from the same headers in one build; the table carries its own size and
// the sizes of the structs that cross the boundary, so a library left over from another
// build is refused (ModelServiceLoader.hpp) instead of misread.
//
// Adding an entry (e.g. the training service): append a function pointer at the END of
// ModelServiceTable and, for each new struct that crosses, append its sizeof to
// kModelServiceStructSizes (and to the table's array size). The loader then refuses an old
// library by the size check; no version bump is needed for appends. Changing or removing
// an existing field needs a new entry name (_v2).

#include <cstddef>
#include <memory>

#include "meridian/service/ModelService.hpp"
#include "meridian/service/TrainingService.hpp"

namespace meridian::service {

inline constexpr std::size_t kModelServiceStructCount = 13;
/// This build's sizes of the structs that cross the boundary, in ModelServiceTable order.
inline constexpr std::size_t kModelServiceStructSizes[kModelServiceStructCount] = {
    sizeof(RuntimeCapabilities), sizeof(DeviceOptions), sizeof(DeviceState),
    sizeof(ModelCardView),       sizeof(CasePrediction), sizeof(PredictRequest),
    sizeof(PredictReport),       sizeof(ExplainRequest), sizeof(ExplainResult),
    // training (TrainingService.hpp)
    sizeof(TrainingTask), sizeof(SplitPreview), sizeof(TrainingRequest), sizeof(TrainingResult)};

struct ModelServiceTable {
  std::size_t tableSize;  // sizeof(ModelServiceTable) in the library
  std::size_t structSizes[kModelServiceStructCount];

  /// Sets up the library's logging (its own copy of core's logger registry); call once.
  void (*initialize)(bool verbose);
  /// Flushes the library's log sinks.
  void (*finish)();
  /// A new service with no model loaded.
  std::unique_ptr<ModelService> (*create)();
  /// A training service (TrainingService.hpp).
  std::unique_ptr<TrainingService> (*createTraining)();
  /// Caps LibTorch's and OpenBLAS's threads for every model job from now on (0 = one per
  /// core): model::setIntraOpThreads. Use setComputeThreads (ModelServiceLoader.hpp).
  void (*setComputeThreads)(int threads);
};

}  // namespace meridian::service

/// The library's one exported symbol; the name carries the table's layout version.
#define MERIDIAN_MODEL_SERVICE_ENTRY "meridian_model_service_v1"
extern "C" const meridian::service::ModelServiceTable* meridian_model_service_v1();
