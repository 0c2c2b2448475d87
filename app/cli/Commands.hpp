#pragma once
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace meridian::app {

struct DemoOptions {
  std::filesystem::path dataDir;    // empty: find the bundled demo data
  std::filesystem::path outputDir;  // empty: <build>/demo-output
};
int runDemo(const DemoOptions& options);

int runInfo(const std::filesystem::path& path, bool json);

struct ConvertOptions {
  std::filesystem::path input, output;
  std::string seriesUid;                                // a folder with several series
  std::optional<int> level;                             // slides: pyramid level (default: smallest)
  std::optional<std::array<std::int64_t, 4>> region;    // slides: x,y (level 0), w,h (level pixels)
};
int runConvert(const ConvertOptions& options);

int runVersion();

/// Directory holding the running executable.
std::filesystem::path executableDirectory();

}  // namespace meridian::app
