#pragma once
// meridian-cli project create | add | list | check | label | unlabel | session | add-prediction |
// review: making and
// reading a project (core/project) from the command line. They run in the executable
// itself: no model, no LibTorch loaded.

#include <CLI/CLI.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace meridian::app {

struct ProjectOptions {
  CLI::App* create = nullptr;
  CLI::App* add = nullptr;
  CLI::App* list = nullptr;
  CLI::App* check = nullptr;
  CLI::App* label = nullptr;
  CLI::App* unlabel = nullptr;
  CLI::App* session = nullptr;
  CLI::App* addPrediction = nullptr;
  CLI::App* review = nullptr;
  std::filesystem::path folder;
  std::vector<std::filesystem::path> paths;
  bool json = false;
  std::string caseRef;  // a case id, or the path it was added with
  std::string className;
  std::string actor;
  std::filesystem::path predictionFile;  // add-prediction: infer's <input>.prediction.json
  std::string decision, correction;      // review
};

/// Adds `project` and its subcommands to `cli`.
CLI::App* addProjectCommand(CLI::App& cli, ProjectOptions& o);
/// Runs the chosen subcommand; returns the exit code.
int runProject(const ProjectOptions& o);

}  // namespace meridian::app
