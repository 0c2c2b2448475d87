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

struct ImportWeightsOptions {
  std::filesystem::path source, output;
  std::string layout = "auto";  // torchvision | timm | dinov2 | auto
  std::string arch = "vit_b_16";
  int classes = 1000;           // 0: no classification head (embedding only)
  int patch = 0, imageSize = 0, registers = 0;  // 0: the preset's
  bool layerScale = false;
};
int runImportWeights(const ImportWeightsOptions& options);

struct InferOptions {
  std::filesystem::path modelDir, input, outDir;
  bool json = false;
};
int runInfer(const InferOptions& options);

struct ExplainOptions {
  std::filesystem::path modelDir, input, output;
  std::string method = "cls";
  int head = -1;  // -1: mean over heads
  double opacity = 0.5;
};
int runExplain(const ExplainOptions& options);

/// Directory holding the running executable.
std::filesystem::path executableDirectory();

}  // namespace meridian::app
