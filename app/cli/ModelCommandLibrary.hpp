#pragma once
// The boundary between meridian-cli and its model commands. The commands that run the model
// (demo, import-weights, infer, explain, pretrain, embed, train, evaluate, version) are compiled
// into a shared library, libmeridian_cli_model.so, which links the model core and LibTorch.
// meridian-cli opens it with dlopen only when one of them runs, so `info`, `convert` and `--help`
// never map LibTorch, OpenCV or Qt 5 (Debian's LibTorch pulls both in) nor pay for their static
// initialisation (~0.8 s).
//
// The library exports one C function returning a table of plain function pointers that take
// the option structs of Commands.hpp, TrainCommands.hpp and PretrainCommands.hpp. Both sides
// are built from the same headers in one build; the table carries the structs' sizes so that a
// library left over from another build is refused instead of misread.

#include <cstddef>

#include "Commands.hpp"
#include "EvaluateSuiteCommand.hpp"
#include "PretrainCommands.hpp"
#include "TrainCommands.hpp"

namespace meridian::app {

struct ModelCommands {
  std::size_t tableSize;  // sizeof(ModelCommands) in the library
  std::size_t optionSizes[6];

  /// Sets up the library's logging (its own copy of core's logger registry).
  void (*initialize)(bool verbose);
  /// Flushes the library's log sinks.
  void (*finish)();

  int (*demo)(const DemoOptions&);
  int (*importWeights)(const ImportWeightsOptions&);
  int (*infer)(const InferOptions&);
  int (*explain)(const ExplainOptions&);
  int (*pretrain)(const PretrainOptions&);
  int (*embed)(const TrainCommandOptions&);
  int (*train)(const TrainCommandOptions&);
  int (*evaluate)(const TrainCommandOptions&);
  int (*version)();
  // Appended after version (entries are only ever appended).
  std::size_t evaluateSuiteOptionsSize;  // sizeof(EvaluateSuiteOptions) in the library
  int (*evaluateSuite)(const EvaluateSuiteOptions&);
};

/// The sizes this build's option structs have, in the order of ModelCommands::optionSizes.
constexpr std::size_t kModelCommandOptionSizes[6] = {sizeof(DemoOptions),    sizeof(ImportWeightsOptions),
                                                     sizeof(InferOptions),   sizeof(ExplainOptions),
                                                     sizeof(PretrainOptions), sizeof(TrainCommandOptions)};

}  // namespace meridian::app

/// The library's one exported symbol. The name carries the table's layout version: bump it
/// when ModelCommands changes shape.
#define MERIDIAN_CLI_MODEL_ENTRY "meridian_cli_model_commands_v1"
extern "C" const meridian::app::ModelCommands* meridian_cli_model_commands_v1();
