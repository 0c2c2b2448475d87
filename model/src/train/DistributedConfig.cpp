#include "meridian/model/DistributedConfig.hpp"

#include <cstdlib>
#include <string>

namespace meridian::model {

namespace {

const char* env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

core::Result<int> parseInt(const char* name, const char* text, int low, int high) {
  try {
    std::size_t used = 0;
    const long value = std::stol(text, &used);
    if (used == std::string(text).size() && value >= low && value <= high) return static_cast<int>(value);
  } catch (const std::exception&) {
  }
  return core::makeError(core::ErrorCode::InvalidArgument, std::string(name) + "='" + text +
                                                               "' is not an integer in [" + std::to_string(low) + ", " +
                                                               std::to_string(high) + "]");
}

}  // namespace

core::Result<DistributedConfig> distributedConfigFromEnvironment() {
  DistributedConfig config;
  const char* worldSize = env("WORLD_SIZE");
  if (worldSize == nullptr) return config;
  auto size = parseInt("WORLD_SIZE", worldSize, 1, 4096);
  if (!size) return size.error();
  config.worldSize = size.value();
  if (config.worldSize == 1) return config;
  const char* rank = env("RANK");
  const char* port = env("MASTER_PORT");
  if (rank == nullptr || port == nullptr)
    return core::makeError(
        core::ErrorCode::InvalidArgument,
        "WORLD_SIZE=" + std::string(worldSize) + " needs RANK and MASTER_PORT as well (torchrun style)");
  auto parsedRank = parseInt("RANK", rank, 0, config.worldSize - 1);
  if (!parsedRank) return parsedRank.error();
  auto parsedPort = parseInt("MASTER_PORT", port, 1, 65535);
  if (!parsedPort) return parsedPort.error();
  config.rank = parsedRank.value();
  config.masterPort = parsedPort.value();
  if (const char* address = env("MASTER_ADDR")) config.masterAddress = address;
  return config;
}

}  // namespace meridian::model
