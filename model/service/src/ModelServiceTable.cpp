// The library's entry point (ModelServiceLibrary.hpp).

#include "TrainingServiceImpl.hpp"
#include "VitModelService.hpp"
#include "meridian/core/Logging.hpp"
#include "meridian/model/Runtime.hpp"
#include "meridian/service/ModelServiceLibrary.hpp"

namespace meridian::service {
namespace {

void initialize(bool verbose) {
  core::logging::Options options;
  options.verbose = verbose;
  (void)core::logging::initialize(options);  // on failure: console only, already warned
}

std::unique_ptr<ModelService> create() { return std::make_unique<VitModelService>(); }

constexpr ModelServiceTable kTable = {
    sizeof(ModelServiceTable),
    {kModelServiceStructSizes[0], kModelServiceStructSizes[1], kModelServiceStructSizes[2], kModelServiceStructSizes[3],
     kModelServiceStructSizes[4], kModelServiceStructSizes[5], kModelServiceStructSizes[6], kModelServiceStructSizes[7],
     kModelServiceStructSizes[8], kModelServiceStructSizes[9], kModelServiceStructSizes[10], kModelServiceStructSizes[11],
     kModelServiceStructSizes[12]},
    initialize,
    [] { core::logging::flush(); },
    create,
    makeTrainingService,
    [](int threads) { model::setIntraOpThreads(threads); },
};

}  // namespace
}  // namespace meridian::service

extern "C" __attribute__((visibility("default"))) const meridian::service::ModelServiceTable* meridian_model_service_v1() {
  return &meridian::service::kTable;
}
