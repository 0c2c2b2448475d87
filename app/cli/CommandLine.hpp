#pragma once
// meridian-cli's commands' options and help text, one `add<Name>Command(cli, options)` per
// command: it adds the subcommand to `cli`, binds its options to `options` and returns the
// subcommand. main() pairs each with the function that runs it. This file is compiled into the
// executable only, so `--help` and a mistyped option never load the model library.

#include <CLI/CLI.hpp>

#include <filesystem>

#include "Commands.hpp"
#include "EvaluateSuiteCommand.hpp"
#include "PretrainCommands.hpp"
#include "TrainCommands.hpp"

namespace meridian::app {

struct InfoOptions {
  std::filesystem::path path;
  bool json = false;
};

CLI::App* addDemoCommand(CLI::App& cli, DemoOptions& o);
CLI::App* addInfoCommand(CLI::App& cli, InfoOptions& o);
CLI::App* addConvertCommand(CLI::App& cli, ConvertOptions& o);
CLI::App* addImportWeightsCommand(CLI::App& cli, ImportWeightsOptions& o);
CLI::App* addInferCommand(CLI::App& cli, InferOptions& o);
CLI::App* addExplainCommand(CLI::App& cli, ExplainOptions& o);
CLI::App* addPretrainCommand(CLI::App& cli, PretrainOptions& o);
// embed, train and evaluate share one options struct (only one of them runs).
CLI::App* addEmbedCommand(CLI::App& cli, TrainCommandOptions& o);
CLI::App* addTrainCommand(CLI::App& cli, TrainCommandOptions& o);
CLI::App* addEvaluateCommand(CLI::App& cli, TrainCommandOptions& o);
CLI::App* addVersionCommand(CLI::App& cli);
CLI::App* addEvaluateSuiteCommand(CLI::App& cli, EvaluateSuiteOptions& o);

}  // namespace meridian::app
