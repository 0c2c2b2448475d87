#pragma once
// One spdlog logger per layer ("core", "model", "viewers", "ui", "app"), all writing
// to the console and to a rotating file in the user's data folder. The folder and file are
// created with the first message that reaches the file, never at start-up (issue 16).
//
//   meridian::core::logging::initialize({.verbose = true});
//   meridian::core::logging::get(Layer::Core)->info("opened {}", path);

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <spdlog/logger.h>

#include "meridian/core/Result.hpp"

namespace meridian::core::logging {

enum class Layer { Core, Model, Viewers, Ui, App };

const char* layerName(Layer layer);

struct Options {
  bool verbose = false;                          // debug level instead of info
  bool console = true;                           // echo to stderr
  std::optional<std::filesystem::path> logDirectory;  // default: userLogDirectory()
  std::size_t maxFileBytes = 5 * 1024 * 1024;
  std::size_t maxFiles = 3;
};

/// Sets up the sinks for every layer logger; creates nothing (the file appears with the first
/// message). Returns the log file's path, or an error when the folder cannot be written as far
/// as can be told without writing (logging then goes to the console only); a failure that only
/// the first write shows is said once on stderr, and the console goes on.
Result<std::filesystem::path> initialize(const Options& options);

/// The logger of a layer. Usable before initialize() (console only, info level).
std::shared_ptr<spdlog::logger> get(Layer layer);

/// Flushes every layer logger (call before exit, or after an error the user must see).
void flush();

}  // namespace meridian::core::logging
