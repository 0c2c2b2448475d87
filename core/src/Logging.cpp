#include "meridian/core/Logging.hpp"

#include <array>
#include <mutex>
#include <system_error>
#include <vector>

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "meridian/core/UserPaths.hpp"

namespace meridian::core::logging {
namespace {

constexpr std::array<Layer, 5> kLayers = {Layer::Core, Layer::Model, Layer::Viewers, Layer::Ui, Layer::App};

struct Registry {
  std::mutex mutex;
  std::vector<spdlog::sink_ptr> sinks;
  spdlog::level::level_enum level = spdlog::level::info;
  std::array<std::shared_ptr<spdlog::logger>, kLayers.size()> loggers;
};

Registry& registry() {
  static Registry r;
  return r;
}

std::shared_ptr<spdlog::logger> makeLogger(Layer layer, const Registry& r) {
  auto logger = std::make_shared<spdlog::logger>(layerName(layer), r.sinks.begin(), r.sinks.end());
  logger->set_level(r.level);
  logger->flush_on(spdlog::level::warn);
  return logger;
}

}  // namespace

const char* layerName(Layer layer) {
  switch (layer) {
    case Layer::Core: return "core";
    case Layer::Model: return "model";
    case Layer::Viewers: return "viewers";
    case Layer::Ui: return "ui";
    case Layer::App: return "app";
  }
  return "meridian";
}

Result<std::filesystem::path> initialize(const Options& options) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.sinks.clear();
  r.level = options.verbose ? spdlog::level::debug : spdlog::level::info;
  if (options.console) r.sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());

  const auto dir = options.logDirectory.value_or(userLogDirectory());
  const auto file = dir / "meridian.log";
  std::optional<Error> fileError;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    fileError = makeError(ErrorCode::Io, "cannot create log folder " + dir.string() + ": " + ec.message());
  } else {
    try {
      auto sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(file.string(), options.maxFileBytes,
                                                                         options.maxFiles);
      sink->set_level(spdlog::level::debug);  // the file always keeps debug detail when asked for
      r.sinks.push_back(std::move(sink));
    } catch (const spdlog::spdlog_ex& e) {
      fileError = makeError(ErrorCode::Io, "cannot write log file " + file.string() + ": " + e.what());
    }
  }
  for (std::size_t i = 0; i < kLayers.size(); ++i) r.loggers[i] = makeLogger(kLayers[i], r);
  if (fileError) {
    r.loggers[0]->warn("{}; logging to the console only", fileError->message);
    return *fileError;
  }
  return file;
}

std::shared_ptr<spdlog::logger> get(Layer layer) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  auto& slot = r.loggers[static_cast<std::size_t>(layer)];
  if (!slot) {
    if (r.sinks.empty()) r.sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    slot = makeLogger(layer, r);
  }
  return slot;
}

void flush() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  for (auto& logger : r.loggers)
    if (logger) logger->flush();
}

}  // namespace meridian::core::logging
