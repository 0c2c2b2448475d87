// meridian-cli: Meridian without a window — the main job on demo data, file inspection,
// and (as they land) inference, training and reports.

#include <CLI/CLI.hpp>

#include <cstdio>

#include "Commands.hpp"
#include "DeidCommand.hpp"
#include "ExitCodes.hpp"
#include "TrainCommands.hpp"
#include "PretrainCommands.hpp"
#include "meridian/core/Logging.hpp"

namespace {

// --device and --precision, shared by infer and explain.
void addRunOptions(CLI::App& command, meridian::app::RunOptions& run) {
  command.add_option("--device", run.device, "cpu (default), cuda or cuda:N (needs a CUDA build of LibTorch)");
  command.add_option("--precision", run.precision, "fp32 (default) or bf16 (where the CPU or GPU has it)")
      ->check(CLI::IsMember({"fp32", "bf16"}));
}

}  // namespace

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

  ImportWeightsOptions import;
  auto* importCmd = cli.add_subcommand("import-weights", "Turn a safetensors checkpoint (torchvision, timm, DINOv2 layout) into a Meridian model folder");
  importCmd->add_option("source", import.source, "Weights as .safetensors (pickle checkpoints are refused: they can run code)")->required();
  importCmd->add_option("--out", import.output, "Model folder to write")->required();
  importCmd->add_option("--layout", import.layout, "torchvision | timm | dinov2 | auto");
  importCmd->add_option("--arch", import.arch, "vit_t_16 | vit_s_16 | vit_b_16 | vit_l_16");
  importCmd->add_option("--classes", import.classes, "Classes of the head (0: none)");
  importCmd->add_option("--patch", import.patch, "Patch size, when not the preset's (e.g. 14 for DINOv2)");
  importCmd->add_option("--image-size", import.imageSize, "Input size the position embedding was trained at");
  importCmd->add_option("--registers", import.registers, "Register tokens (DINOv2 'reg' models)");
  importCmd->add_flag("--layer-scale", import.layerScale, "The checkpoint has LayerScale gammas (DINOv2)");
  importCmd->add_option("--name", import.name, "Model name in model.json (default: the output folder's name)");
  importCmd->add_option("--labels", import.labels, "Class names a,b,c (as many as --classes)");
  importCmd->add_option("--modality", import.modality, "Input kind the model takes: any | ct | grayscale | color");
  importCmd->add_option("--ct-windows", import.ctWindows,
                        "CT: 1 or 3 windows as names (lung, mediastinum, bone, brain, liver, soft-tissue) or center/width in HU");

  InferOptions infer;
  auto* inferCmd = cli.add_subcommand("infer", "Run a model on an image, volume (middle slice), slide (overview) or DICOM series folder");
  inferCmd->add_option("--model", infer.modelDir, "Model folder (model.json + weights.safetensors)")->required();
  inferCmd->add_option("input", infer.input, "Input file or DICOM series folder")->required();
  inferCmd->add_flag("--json", infer.json, "Machine-readable output");
  inferCmd->add_option("--out", infer.outDir, "Also write <input>.prediction.json with the embedding here");
  inferCmd->add_option("--mpp", infer.mpp, "Slides: µm per model-input pixel of the patches (default 0.5)")
      ->check(CLI::PositiveNumber);
  inferCmd->add_option("--batch", infer.batch, "Volumes and slides: images per forward pass (default 16)")
      ->check(CLI::Range(1, 4096));
  inferCmd->add_flag("--resume", infer.resume, "Slides: continue the run whose progress is in --out");
  addRunOptions(*inferCmd, infer.run);

  ExplainOptions explain;
  auto* explainCmd = cli.add_subcommand("explain", "Write an attention overlay (PNG) for an input");
  explainCmd->add_option("--model", explain.modelDir, "Model folder")->required();
  explainCmd->add_option("input", explain.input, "Input file or DICOM series folder")->required();
  explainCmd->add_option("--method", explain.method,
                         "cls (last-layer CLS attention), rollout (attention rollout), gradcam (gradient-weighted attention)");
  explainCmd->add_option("--head", explain.head, "cls: one attention head (default: the mean of all)");
  explainCmd->add_option("--class", explain.className, "gradcam: the label to explain (default: the top-1 class)");
  explainCmd->add_option("--opacity", explain.opacity, "Overlay opacity 0..1")->check(CLI::Range(0.0, 1.0));
  addRunOptions(*explainCmd, explain.run);
  explainCmd->add_option("--out", explain.output, "2D: overlay (.png) or float map in the image's pixel grid (.nii, .nii.gz)")->required();
  explainCmd->add_option("--mpp", explain.mpp, "Slides: µm per model-input pixel of the patches (default 0.5)")
      ->check(CLI::PositiveNumber);
  explainCmd->add_option("--batch", explain.batch, "Volumes and slides: images per forward pass (default 16)")
      ->check(CLI::Range(1, 4096));

  PretrainOptions pretrain;
  auto* pretrainCmd = addPretrainCommand(cli, pretrain);

  const TrainCommandSet trainCommands(cli);  // embed, train, evaluate

  DeidCommandOptions deid;
  auto* deidCmd = addDeidCommand(cli, deid);

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
  } else if (*importCmd) {
    rc = runImportWeights(import);
  } else if (*inferCmd) {
    rc = runInfer(infer);
  } else if (*explainCmd) {
    rc = runExplain(explain);
  } else if (*pretrainCmd) {
    rc = runPretrain(pretrain);
  } else if (*deidCmd) {
    rc = runDeid(deid);
  } else if (*versionCmd) rc = runVersion();
  if (const int trainRc = trainCommands.run(); trainRc >= 0) rc = trainRc;
  meridian::core::logging::flush();
  return rc;
}
