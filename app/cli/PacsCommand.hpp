#pragma once
// meridian-cli pacs echo | find | get | move | store: a PACS through DCMTK's network module. The work
// is in core/pacs (PacsClient, PacsProject), which the window's PACS dialog shares; this file is
// the command line.

#include <CLI/CLI.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "meridian/pacs/PacsClient.hpp"

namespace meridian::app {

struct PacsCommandOptions {
  CLI::App *echo = nullptr, *find = nullptr, *get = nullptr, *move = nullptr, *store = nullptr;
  pacs::PacsServer server;
  pacs::StudyQuery query;
  bool series = false;  // find: the series of --study instead of studies
  std::string seriesUid;
  int movePort = 0;  // move: the port Meridian receives on
  std::filesystem::path project, output;
  std::vector<std::filesystem::path> files;
  long long caseId = 0;  // store: send this case's SR (with --project)
  bool hidePatient = false, json = false;
  std::string user;  // the actor recorded in the project's audit trail
};

CLI::App* addPacsCommand(CLI::App& cli, PacsCommandOptions& o);
int runPacs(const PacsCommandOptions& o);

}  // namespace meridian::app
