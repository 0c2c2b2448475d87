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
  bool allowIncomplete = false;                         // write a DICOM series with missing slices anyway
  bool force = false;                                   // replace an existing output
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
  std::string name;    // model card name (default: the output folder's name)
  std::string labels;  // comma-separated label names, one per class ("" = unnamed outputs)
  std::string modality = "any";  // any | ct | grayscale | color: the input kind the model takes
  std::string ctWindows;         // CT: 1 or 3 windows, names (lung,mediastinum,bone) or center/width
  bool force = false;            // write into an existing, non-empty model folder
};
int runImportWeights(const ImportWeightsOptions& options);

/// Where and how the model runs (infer, explain): "cpu" / "cuda[:N]", "fp32" / "bf16".
struct RunOptions {
  std::string device = "cpu";
  std::string precision = "fp32";
};

struct InferOptions {
  std::filesystem::path modelDir, input, outDir;
  bool json = false;
  RunOptions run;
  // Volumes and slides (PipelineCommands.hpp): patch resolution, batch, resume from --out.
  double mpp = 0.5;
  int batch = 16;
  bool resume = false;
  bool allowIncomplete = false;  // a DICOM series with missing slices: run anyway, recorded in the output
  std::string modality;          // the input's modality when its file carries none (photos)
  bool force = false;  // replace existing output files
};
int runInfer(const InferOptions& options);

struct ExplainOptions {
  std::filesystem::path modelDir, input, output;
  RunOptions run;
  std::string method = "cls";
  int head = -1;  // -1: mean over heads
  std::string className;  // gradcam: the label explained ("" = the top-1 class)
  double opacity = 0.5;
  double mpp = 0.5;  // slides: patch resolution (µm per model pixel)
  int batch = 16;    // volumes and slides
  bool allowIncomplete = false;  // as InferOptions
  std::string modality;          // as InferOptions
  bool force = false;  // replace an existing output
};
int runExplain(const ExplainOptions& options);

/// Directory holding the running executable.
std::filesystem::path executableDirectory();

}  // namespace meridian::app
