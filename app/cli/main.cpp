// meridian-cli: Meridian without a window — the main job on demo data, file inspection,
// and (as they land) inference, training and reports.

#include <CLI/CLI.hpp>

#include <cstdio>

#include "Commands.hpp"
#include "ExitCodes.hpp"
#include "meridian/core/Logging.hpp"

int main(int argc, char** argv) {
  using namespace meridian::app;
  CLI::App cli{"Meridian command line: headless main job and batch tools", "meridian-cli"};
  cli.require_subcommand(1);
  bool verbose = false;
  cli.add_flag("-v,--verbose", verbose, "Debug-level logging");

  DemoOptions demo;
  auto* demoCmd = cli.add_subcommand("demo", "Run the main job on the bundled demo data and say where the outputs are");
  demoCmd->add_option("--data", demo.dataDir, "Demo data folder (default: the one built beside this program)");
  demoCmd->add_option("--out", demo.outputDir, "Output folder (default: demo-output beside the demo data)");

  std::filesystem::path infoPath;
  bool infoJson = false;
  auto* infoCmd = cli.add_subcommand("info", "Describe an image, volume or slide");
  infoCmd->add_option("path", infoPath, "File to describe")->required();
  infoCmd->add_flag("--json", infoJson, "Machine-readable output");

  ConvertOptions convert;
  int convertLevel = -1;
  std::string convertRegion;
  auto* convertCmd = cli.add_subcommand("convert", "Write a volume as NIfTI/NRRD/MHA, an image or slide region as PNG/TIFF");
  convertCmd->add_option("input", convert.input, "File, or folder of DICOM files")->required();
  convertCmd->add_option("output", convert.output, "Output file; the format follows the extension")->required();
  convertCmd->add_option("--series", convert.seriesUid, "Series Instance UID, when the folder holds several");
  convertCmd->add_option("--level", convertLevel, "Slides: pyramid level (default: the smallest)")->check(CLI::NonNegativeNumber);
  convertCmd->add_option("--region", convertRegion, "Slides: x,y,w,h (x,y in level-0 pixels, w,h in level pixels)");

  auto* versionCmd = cli.add_subcommand("version", "Versions, LibTorch runtime and BLAS check");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = cli.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  meridian::core::logging::Options logOptions;
  logOptions.verbose = verbose;
  (void)meridian::core::logging::initialize(logOptions);  // on failure: console only, already warned

  int rc = kExitUsage;
  if (*demoCmd) rc = runDemo(demo);
  else if (*infoCmd) rc = runInfo(infoPath, infoJson);
  else if (*convertCmd) {
    if (convertLevel >= 0) convert.level = convertLevel;
    if (!convertRegion.empty()) {
      std::array<std::int64_t, 4> r{};
      if (std::sscanf(convertRegion.c_str(), "%ld,%ld,%ld,%ld", &r[0], &r[1], &r[2], &r[3]) != 4 || r[2] <= 0 || r[3] <= 0) {
        std::fprintf(stderr, "meridian-cli: --region wants x,y,w,h with positive w and h, got '%s'\n", convertRegion.c_str());
        return kExitUsage;
      }
      convert.region = r;
    }
    rc = runConvert(convert);
  } else if (*versionCmd) rc = runVersion();
  meridian::core::logging::flush();
  return rc;
}
