#pragma once
// meridian-cli project create | add | list | check | label | unlabel | session | add-prediction |
// review: making and
// reading a project (core/project) from the command line. They run in the executable
// itself: no model, no LibTorch loaded.
// project predict | explain run the model on the project's cases through the model service
// (model/service), the same code the window's model panel calls (train and accept-model:
// ProjectTrainCommands.hpp, the Training panel's code); the service's library
// (and LibTorch) is opened only when one of them runs (ProjectModelCommands.cpp).

#include <CLI/CLI.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "meridian/core/Result.hpp"
#include "meridian/project/ProjectRecords.hpp"

#include "ProjectTrainCommands.hpp"

namespace meridian::project {
class ProjectStore;
}

namespace meridian::service {
struct ModelCardView;
}

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
  CLI::App* predict = nullptr;
  CLI::App* explain = nullptr;
  std::filesystem::path folder;
  std::vector<std::filesystem::path> paths;
  bool json = false;
  std::string caseRef;  // a case id, or the path it was added with
  std::string className;
  std::string actor;
  std::filesystem::path predictionFile;  // add-prediction: infer's <input>.prediction.json
  std::string decision, correction;      // review
  // predict / explain
  std::vector<std::string> caseRefs;   // predict: --case (none: every case); explain: the one case
  std::filesystem::path modelDir;      // empty: the bundled model
  std::string device = "cpu";
  std::string precision = "fp32";
  std::string method = "cls";
  int head = -1;
  double mpp = 0.5;
  int batch = 16;
  bool verbose = false;
  ProjectTrainOptions training;  // train, accept-model
};

/// Adds `project` and its subcommands to `cli`.
CLI::App* addProjectCommand(CLI::App& cli, ProjectOptions& o);
/// Runs the chosen subcommand; returns the exit code.
int runProject(const ProjectOptions& o);

/// Adds `predict` and `explain` under `project` (ProjectModelCommands.cpp).
void addProjectModelCommands(CLI::App& project, ProjectOptions& o);
/// `card`, when given, gets the card of the model that ran (report --input shows it).
int runProjectPredict(const ProjectOptions& o, service::ModelCardView* card = nullptr);
int runProjectExplain(const ProjectOptions& o);

/// A case given as its id, or as the path it was added with.
core::Result<project::CaseId> resolveCase(const project::ProjectStore& store, const std::string& ref);

}  // namespace meridian::app
