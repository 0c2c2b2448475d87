// The model command library's entry point (ModelCommandLibrary.hpp): the table of commands
// that meridian-cli calls after dlopen.

#include "ModelCommandLibrary.hpp"
#include "meridian/core/Logging.hpp"

namespace meridian::app {
namespace {

void initialize(bool verbose) {
  core::logging::Options options;
  options.verbose = verbose;
  (void)core::logging::initialize(options);  // on failure: console only, already warned
}

constexpr ModelCommands kTable = {
    sizeof(ModelCommands),
    {kModelCommandOptionSizes[0], kModelCommandOptionSizes[1], kModelCommandOptionSizes[2],
     kModelCommandOptionSizes[3], kModelCommandOptionSizes[4], kModelCommandOptionSizes[5]},
    initialize,
    [] { core::logging::flush(); },
    runDemo,
    runImportWeights,
    runInfer,
    runExplain,
    runPretrain,
    [](const TrainCommandOptions& o) { return TrainCommandSet(o).runEmbed(); },
    [](const TrainCommandOptions& o) { return TrainCommandSet(o).runTrain(); },
    [](const TrainCommandOptions& o) { return TrainCommandSet(o).runEvaluate(); },
    runVersion,
    sizeof(EvaluateSuiteOptions),
    runEvaluateSuite,
};

}  // namespace
}  // namespace meridian::app

extern "C" __attribute__((visibility("default"))) const meridian::app::ModelCommands* meridian_cli_model_commands_v1() {
  return &meridian::app::kTable;
}
