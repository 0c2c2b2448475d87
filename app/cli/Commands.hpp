#pragma once
#include <filesystem>

namespace meridian::app {

struct DemoOptions {
  std::filesystem::path dataDir;    // empty: find the bundled demo data
  std::filesystem::path outputDir;  // empty: <build>/demo-output
};
int runDemo(const DemoOptions& options);

int runInfo(const std::filesystem::path& path, bool json);

int runVersion();

/// Directory holding the running executable.
std::filesystem::path executableDirectory();

}  // namespace meridian::app
