// meridian-cli: Meridian without a window — the main job on demo data, file inspection,
// inference, training and pretraining, reports, exports and the audit trail.

#include <CLI/CLI.hpp>

#include <functional>

#include "CommandGuard.hpp"
#include "CommandLine.hpp"
#include "DeidCommand.hpp"
#include "ExitCodes.hpp"
#include "ModelCommandLoader.hpp"
#include "PacsCommand.hpp"
#include "ProjectCommands.hpp"
#include "ReportCommands.hpp"
#include "meridian/core/Logging.hpp"

namespace {

using namespace meridian::app;

/// A subcommand and what runs it: in this executable, or inside the model command library
/// (ModelCommandLibrary.hpp), which is loaded only when such a command runs.
struct Command {
  CLI::App* options = nullptr;
  std::function<int()> runHere;
  std::function<int(const ModelCommands&)> runWithModel;
};

Command here(CLI::App* options, std::function<int()> run) { return {options, std::move(run), {}}; }
Command withModel(CLI::App* options, std::function<int(const ModelCommands&)> run) {
  return {options, {}, std::move(run)};
}

int run(const Command& command, bool verbose) {
  if (command.runHere) {
    meridian::core::logging::Options logOptions;
    logOptions.verbose = verbose;
    (void)meridian::core::logging::initialize(logOptions);  // on failure: console only, already warned
    const int rc = runGuarded(command.runHere);  // one catch for every command (CommandGuard.hpp)
    meridian::core::logging::flush();
    return rc;
  }
  auto library = loadModelCommands();
  if (!library) return fail(library.error());
  const ModelCommands& model = *library.value();
  model.initialize(verbose);  // the library logs through its own copy of core's loggers
  const int rc = runGuarded([&] { return command.runWithModel(model); });
  model.finish();
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Meridian command line: headless main job and batch tools", "meridian-cli"};
  cli.require_subcommand(1);
  bool verbose = false;
  cli.add_flag("-v,--verbose", verbose, "Debug-level logging");

  // One line per command: its options (CommandLine.cpp) and what runs it.
  DemoOptions demo;
  InfoOptions info;
  ConvertOptions convert;
  ImportWeightsOptions importWeights;
  InferOptions infer;
  ExplainOptions explain;
  PretrainOptions pretrain;
  TrainCommandOptions train;
  ProjectOptions project;
  DeidCommandOptions deid;
  ReportCommandOptions reportOptions;
  ExportCommandOptions exportOptions;
  AuditCommandOptions audit;
  PacsCommandOptions pacsOptions;
  EvaluateSuiteOptions evaluateSuite;
  const Command commands[] = {
      withModel(addDemoCommand(cli, demo), [&](const ModelCommands& m) { return m.demo(demo); }),
      here(addInfoCommand(cli, info), [&] { return runInfo(info.path, info.json); }),
      here(addConvertCommand(cli, convert), [&] { return runConvert(convert); }),
      withModel(addImportWeightsCommand(cli, importWeights),
                [&](const ModelCommands& m) { return m.importWeights(importWeights); }),
      withModel(addInferCommand(cli, infer), [&](const ModelCommands& m) { return m.infer(infer); }),
      withModel(addExplainCommand(cli, explain), [&](const ModelCommands& m) { return m.explain(explain); }),
      withModel(addPretrainCommand(cli, pretrain), [&](const ModelCommands& m) { return m.pretrain(pretrain); }),
      withModel(addEmbedCommand(cli, train), [&](const ModelCommands& m) { return m.embed(train); }),
      withModel(addTrainCommand(cli, train), [&](const ModelCommands& m) { return m.train(train); }),
      withModel(addEvaluateCommand(cli, train), [&](const ModelCommands& m) { return m.evaluate(train); }),
      withModel(addVersionCommand(cli), [](const ModelCommands& m) { return m.version(); }),
      withModel(addEvaluateSuiteCommand(cli, evaluateSuite),
                [&](const ModelCommands& m) { return m.evaluateSuite(evaluateSuite); }),
      here(addProjectCommand(cli, project), [&] { return runProject(project); }),
      here(addDeidCommand(cli, deid), [&] { return runDeid(deid); }),
      here(addReportCommand(cli, reportOptions), [&] { return runReport(reportOptions); }),
      here(addExportCommand(cli, exportOptions), [&] { return runExport(exportOptions); }),
      here(addAuditCommand(cli, audit), [&] { return runAudit(audit); }),
      here(addPacsCommand(cli, pacsOptions), [&] { return runPacs(pacsOptions); }),
  };

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = cli.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  for (const auto& command : commands)
    if (*command.options) return run(command, verbose);
  return kExitUsage;
}
