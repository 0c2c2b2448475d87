#include "meridian/core/Logging.hpp"

#include <unistd.h>

#include <array>
#include <mutex>
#include <system_error>
#include <vector>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "LazyFileSink.hpp"
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

// Why a log file under `dir` cannot be written, judged without creating anything: the
// nearest folder that exists must be a folder we may write into. (What only the attempt
// can tell, e.g. a full disk, is reported by the sink on the first message.)
std::optional<Error> whyNotWritable(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::path existing = dir;
  while (!existing.empty() && !std::filesystem::exists(existing, ec)) {
    if (existing == existing.parent_path()) break;
    existing = existing.parent_path();
  }
  if (existing.empty()) existing = ".";
  if (!std::filesystem::is_directory(existing, ec))
    return makeError(ErrorCode::Io, "cannot create log folder " + dir.string() + ": " + existing.string() + " is not a folder");
  if (::access(existing.c_str(), W_OK | X_OK) != 0)
    return makeError(ErrorCode::Io, "cannot write log file in " + dir.string() + ": " + existing.string() +
                                        " is not writable");
  return std::nullopt;
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
  // Nothing is created here: the folder and file appear with the first message
  // (LazyFileSink.hpp). What can be known without creating anything is checked now.
  const std::optional<Error> fileError = whyNotWritable(dir);
  if (!fileError) {
    auto sink = std::make_shared<detail::LazyRotatingFileSink>(file, options.maxFileBytes, options.maxFiles);
    sink->set_level(spdlog::level::debug);  // the file always keeps debug detail when asked for
    r.sinks.push_back(std::move(sink));
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
