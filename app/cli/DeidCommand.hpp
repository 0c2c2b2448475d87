#pragma once
// meridian-cli deid: de-identified copies of DICOM files (core/report's DicomDeidentifier does
// the work; this file is the command line).

#include <CLI/CLI.hpp>

#include <filesystem>
#include <optional>

namespace meridian::app {

struct DeidCommandOptions {
  std::filesystem::path input, output;
  std::optional<int> dateShiftDays;
  bool json = false;
};

/// Adds `deid` to `cli`, filling `options` when it is parsed.
CLI::App* addDeidCommand(CLI::App& cli, DeidCommandOptions& options);
int runDeid(const DeidCommandOptions& options);

}  // namespace meridian::app
