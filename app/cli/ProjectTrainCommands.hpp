#pragma once
// meridian-cli project train | accept-model: training from a project's labels and making the
// result the project's active model — the same service code as the window's Training panel
// (model/service ProjectTraining.hpp), reached through the model service library, which is
// opened only when one of these runs.

#include <CLI/CLI.hpp>

#include <cstdint>
#include <filesystem>
#include <string>

namespace meridian::app {

struct ProjectTrainOptions {
  CLI::App* train = nullptr;
  CLI::App* accept = nullptr;
  std::filesystem::path folder;
  std::filesystem::path baseModel;  // "" = the bundled model
  std::string method = "probe";
  std::string name;
  double heldOut = 0.2;
  std::uint64_t seed = 0;
  bool json = false;
  // advanced (the trainer's defaults unless given)
  double c = 1.0;
  int k = 20;
  int epochs = 10;
  double lr = 1e-3;
  int batchSize = 16;
  int bootstrap = 1000;
  std::filesystem::path modelFolder;  // accept-model
};

/// Adds `train` and `accept-model` under the `project` command.
void addProjectTrainCommands(CLI::App& project, ProjectTrainOptions& o);
/// True when one of them was chosen.
bool projectTrainChosen(const ProjectTrainOptions& o);
/// Runs the chosen one (`actor` is project --user); returns the exit code.
int runProjectTrain(const ProjectTrainOptions& o, const std::string& actor);

}  // namespace meridian::app
