// meridian-cli's command line: every command's options and help text (see CommandLine.hpp).

#include "CommandLine.hpp"

#include <cstdio>

namespace meridian::app {
namespace {

// --device and --precision, shared by infer and explain.
void addRunOptions(CLI::App& command, RunOptions& run) {
  command.add_option("--device", run.device, "cpu (default), cuda or cuda:N (needs a CUDA build of LibTorch)");
  command.add_option("--precision", run.precision, "fp32 (default) or bf16 (where the CPU or GPU has it)")
      ->check(CLI::IsMember({"fp32", "bf16"}));
}

}  // namespace

CLI::App* addDemoCommand(CLI::App& cli, DemoOptions& o) {
  auto* cmd = cli.add_subcommand("demo", "Run the main job on the bundled demo data and say where the outputs are");
  cmd->add_option("--data", o.dataDir, "Demo data folder (default: the one built beside this program)");
  cmd->add_option("--out", o.outputDir, "Output folder (default: demo-output beside the demo data)");
  return cmd;
}

CLI::App* addInfoCommand(CLI::App& cli, InfoOptions& o) {
  auto* cmd = cli.add_subcommand("info", "Describe an image, volume or slide");
  cmd->add_option("path", o.path, "File to describe")->required();
  cmd->add_flag("--json", o.json, "Machine-readable output");
  return cmd;
}

CLI::App* addConvertCommand(CLI::App& cli, ConvertOptions& o) {
  auto* cmd = cli.add_subcommand("convert", "Write a volume as NIfTI/NRRD/MHA, an image or slide region as PNG/TIFF");
  cmd->add_option("input", o.input, "File, or folder of DICOM files")->required();
  cmd->add_option("output", o.output, "Output file; the format follows the extension")->required();
  cmd->add_option("--series", o.seriesUid, "Series Instance UID, when the folder holds several");
  cmd->add_flag("--force", o.force, "Replace the output if it exists (never the input)");
  cmd->add_option_function<int>("--level", [&o](int level) { o.level = level; },
                                "Slides: pyramid level (default: the smallest)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option_function<std::string>(
      "--region",
      [&o](const std::string& text) {
        std::array<std::int64_t, 4> r{};
        if (std::sscanf(text.c_str(), "%ld,%ld,%ld,%ld", &r[0], &r[1], &r[2], &r[3]) != 4 || r[2] <= 0 || r[3] <= 0)
          throw CLI::ValidationError("--region", "wants x,y,w,h with positive w and h, got '" + text + "'");
        o.region = r;
      },
      "Slides: x,y,w,h (x,y in level-0 pixels, w,h in level pixels)");
  cmd->add_flag("--allow-incomplete", o.allowIncomplete,
                "Write a DICOM series with unreadable or missing slices anyway (recorded beside the output)");
  return cmd;
}

CLI::App* addImportWeightsCommand(CLI::App& cli, ImportWeightsOptions& o) {
  auto* cmd = cli.add_subcommand("import-weights", "Turn a safetensors checkpoint (torchvision, timm, DINOv2 layout) into a Meridian model folder");
  cmd->add_option("source", o.source, "Weights as .safetensors (pickle checkpoints are refused: they can run code)")->required();
  cmd->add_option("--out", o.output, "Model folder to write")->required();
  cmd->add_flag("--force", o.force, "Write into an existing, non-empty model folder");
  cmd->add_option("--layout", o.layout, "torchvision | timm | dinov2 | auto");
  cmd->add_option("--arch", o.arch, "vit_t_16 | vit_s_16 | vit_b_16 | vit_l_16");
  cmd->add_option("--classes", o.classes, "Classes of the head (0: none)");
  cmd->add_option("--patch", o.patch, "Patch size, when not the preset's (e.g. 14 for DINOv2)");
  cmd->add_option("--image-size", o.imageSize, "Input size the position embedding was trained at");
  cmd->add_option("--registers", o.registers, "Register tokens (DINOv2 'reg' models)");
  cmd->add_flag("--layer-scale", o.layerScale, "The checkpoint has LayerScale gammas (DINOv2)");
  cmd->add_option("--name", o.name, "Model name in model.json (default: the output folder's name)");
  cmd->add_option("--labels", o.labels, "Class names a,b,c (as many as --classes)");
  cmd->add_option("--modality", o.modality, "Input kind the model takes: any | ct | grayscale | color");
  cmd->add_option("--ct-windows", o.ctWindows,
                  "CT: 1 or 3 windows as names (lung, mediastinum, bone, brain, liver, soft-tissue) or center/width in HU");
  return cmd;
}

CLI::App* addInferCommand(CLI::App& cli, InferOptions& o) {
  auto* cmd = cli.add_subcommand("infer", "Run a model on an image, volume (middle slice), slide (overview) or DICOM series folder");
  cmd->add_option("--model", o.modelDir, "Model folder (model.json + weights.safetensors)")->required();
  cmd->add_option("input", o.input, "Input file or DICOM series folder")->required();
  cmd->add_flag("--json", o.json, "Machine-readable output");
  cmd->add_option("--out", o.outDir, "Also write <input>.prediction.json with the embedding here");
  cmd->add_option("--mpp", o.mpp, "Slides: µm per model-input pixel of the patches (default 0.5)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--batch", o.batch, "Volumes and slides: images per forward pass (default 16)")
      ->check(CLI::Range(1, 4096));
  cmd->add_flag("--resume", o.resume, "Slides: continue the run whose progress is in --out");
  cmd->add_flag("--allow-incomplete", o.allowIncomplete,
                "Run on a DICOM series with unreadable or missing slices anyway (recorded in the output)");
  cmd->add_option("--modality", o.modality, "Modality of an input whose file carries none (e.g. XC, OP for photos)");
  cmd->add_flag("--force", o.force, "Replace output files that exist in --out (never the input)");
  addRunOptions(*cmd, o.run);
  return cmd;
}

CLI::App* addExplainCommand(CLI::App& cli, ExplainOptions& o) {
  auto* cmd = cli.add_subcommand("explain", "Write an attention overlay (PNG) for an input");
  cmd->add_option("--model", o.modelDir, "Model folder")->required();
  cmd->add_option("input", o.input, "Input file or DICOM series folder")->required();
  cmd->add_option("--method", o.method,
                  "cls (last-layer CLS attention), rollout (attention rollout), gradcam (gradient-weighted attention)");
  cmd->add_option("--head", o.head, "cls: one attention head (default: the mean of all)");
  cmd->add_option("--class", o.className, "gradcam: the label to explain (default: the top-1 class)");
  cmd->add_option("--opacity", o.opacity, "Overlay opacity 0..1")->check(CLI::Range(0.0, 1.0));
  addRunOptions(*cmd, o.run);
  cmd->add_option("--out", o.output, "2D: overlay (.png) or float map in the image's pixel grid (.nii, .nii.gz)")->required();
  cmd->add_flag("--force", o.force, "Replace the output if it exists (never the input)");
  cmd->add_option("--mpp", o.mpp, "Slides: µm per model-input pixel of the patches (default 0.5)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--batch", o.batch, "Volumes and slides: images per forward pass (default 16)")
      ->check(CLI::Range(1, 4096));
  cmd->add_flag("--allow-incomplete", o.allowIncomplete,
                "Run on a DICOM series with unreadable or missing slices anyway (recorded in the output)");
  cmd->add_option("--modality", o.modality, "Modality of an input whose file carries none (e.g. XC, OP for photos)");
  return cmd;
}

CLI::App* addPretrainCommand(CLI::App& cli, PretrainOptions& o) {
  auto* cmd = cli.add_subcommand("pretrain", "Continue self-supervised pretraining (DINO) on unlabelled images");
  cmd->add_option("--method", o.method, "dino")->check(CLI::IsMember({"dino"}));
  auto* model = cmd->add_option("--model", o.modelDir, "Base model folder (its head is dropped)");
  auto* arch = cmd->add_option("--arch", o.arch, "Or a fresh backbone: vit_t_16 | vit_s_16 | vit_b_16 | vit_l_16");
  model->excludes(arch);
  cmd->add_option("--image-size", o.imageSize, "With --arch: input size (multiple of 16; default the preset's 224)");
  cmd->add_option("--images", o.images, "Folder of images (recursive) or CSV with a 'path' column")->required();
  cmd->add_option("--out", o.outDir, "Output folder: checkpoint.safetensors, loss.csv, model/")->required();
  cmd->add_option("--resume", o.resume, "Checkpoint to continue (same images: exact resume; other images: continual)");
  cmd->add_flag("--force", o.force, "Start a fresh run in an existing, non-empty --out (its files are replaced)");
  cmd->add_flag(
      "--skip-unreadable", o.skipUnreadable,
      "Leave out images that are missing or cannot be decoded, each named on stderr (default: stop at the first)");
  cmd->add_option("--memory", o.memory, "Memory bank size (past teacher embeddings; 0 = off)")
      ->check(CLI::Range(0, 1 << 20));
  cmd->add_option("--rehearsal", o.rehearsal, "Rehearsal reservoir of past images (0 = off)")
      ->check(CLI::Range(0, 100000));
  cmd->add_option("--epochs", o.epochs, "Epochs")->check(CLI::Range(1, 100000));
  cmd->add_option("--batch", o.batch, "Global batch size")->check(CLI::Range(1, 4096));
  cmd->add_option("--local-crops", o.localCrops, "Local views per image")->check(CLI::Range(0, 32));
  cmd->add_option("--seed", o.seed, "Seed (crops, order, head initialisation)");
  cmd->add_option("--lr", o.learningRate, "Peak learning rate (default 5e-4 x batch / 256, as DINO)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--prototypes", o.prototypes, "Prototypes of the DINO head")->check(CLI::Range(2, 65536));
  cmd->add_option("--teacher-temp", o.teacherTemperature, "Teacher temperature, constant over the run (default 0.04)")
      ->check(CLI::Range(0.001, 1.0));
  cmd->add_option("--teacher-momentum", o.teacherMomentum,
                  "Teacher EMA momentum at the start, cosine to 1 (default 0.996)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--stop-after", o.stopAfter, "Stop after this many steps in total (a checkpoint is written)");
  cmd->add_option("--checkpoint-every", o.checkpointEvery, "Checkpoint every N steps (default: every epoch)");
  cmd->add_option("--name", o.name, "Model card name");
  cmd->add_flag("--fp32", o.fp32, "No bf16 autocast even where the CPU has native bf16");
  cmd->add_option("--threads", o.threads, "Compute threads; 0 = one per core (default: 1 for views of <= 64 patches, else 0)")
      ->check(CLI::Range(0, 1024));
  return cmd;
}

CLI::App* addEmbedCommand(CLI::App& cli, TrainCommandOptions& o) {
  auto* cmd = cli.add_subcommand("embed", "Compute and cache backbone embeddings for a labels CSV (path,label[,patient])");
  cmd->add_option("--model", o.model_, "Model folder")->required();
  cmd->add_option("--labels", o.labels_, "Labels CSV; paths relative to it")->required();
  cmd->add_option("--cache", o.cache_, "Embedding cache folder (default: the user's cache folder)");
  cmd->add_flag("--json", o.json_, "Machine-readable output");
  return cmd;
}

CLI::App* addTrainCommand(CLI::App& cli, TrainCommandOptions& o) {
  auto* cmd = cli.add_subcommand("train", "Adapt a model to a labels CSV; held-out metrics with 95% CIs go into model.json");
  cmd->add_option("--method", o.method_,
                     "probe | knn | prototype (frozen embeddings) | lora | partial | full (fine-tuning)");
  cmd->add_option("--model", o.model_, "Base model folder")->required();
  cmd->add_option("--labels", o.labels_, "Labels CSV (path,label[,patient])")->required();
  cmd->add_option("--out", o.out_, "Model folder to write")->required();
  cmd->add_flag("--force", o.force_, "Write into an existing, non-empty --out folder (never the base model's)");
  cmd->add_option("--cache", o.cache_, "Embedding cache folder (default: the user's cache folder)");
  cmd->add_flag("--no-cache", o.noCache_, "Do not read or write the embedding cache");
  cmd->add_option("--seed", o.seed_, "Seed of the split and the bootstrap");
  cmd->add_option("--val-fraction", o.valFraction_, "Held-out share (whole patients when the CSV has them)")
      ->check(CLI::Range(0.05, 0.95));
  cmd->add_option("--folds", o.folds_, "Also report k-fold cross-validated metrics (cv_*)")->check(CLI::Range(0, 20));
  cmd->add_option("--C", o.c_, "probe: inverse L2 strength (scikit-learn's C)")->check(CLI::PositiveNumber);
  cmd->add_option("--k", o.k_, "knn: neighbours")->check(CLI::Range(1, 1000));
  cmd->add_option("--min-per-class", o.minPerClass_, "Refuse classes with fewer labelled images")
      ->check(CLI::Range(2, 100000));
  cmd->add_option("--bootstrap", o.bootstrap_, "Bootstrap resamples for the CIs")->check(CLI::Range(10, 100000));
  cmd->add_option("--epochs", o.epochs_, "fine-tuning: epochs (early stopping may end sooner)")
      ->check(CLI::Range(1, 10000));
  cmd->add_option("--lr", o.lr_, "fine-tuning: peak learning rate (AdamW, cosine with warm-up)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--batch-size", o.batchSize_, "fine-tuning: images per micro-batch")->check(CLI::Range(1, 4096));
  cmd->add_option("--accumulation", o.accumulation_, "fine-tuning: micro-batches per optimiser step")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--rank", o.rank_, "lora: rank")->check(CLI::Range(1, 1024));
  cmd->add_option("--blocks", o.blocks_, "partial: last N blocks to train")->check(CLI::Range(1, 1024));
  cmd->add_flag("--no-augment", o.noAugment_, "fine-tuning: no flips, crops or jitter");
  cmd->add_flag("--fp32", o.fp32_, "fine-tuning: no bf16 autocast even where the CPU has bf16");
  cmd->add_flag("--json", o.json_, "Machine-readable output");
  return cmd;
}

CLI::App* addEvaluateCommand(CLI::App& cli, TrainCommandOptions& o) {
  auto* cmd = cli.add_subcommand("evaluate", "Score a labels CSV with a trained model: AUROC, AUPRC, accuracy... with 95% CIs");
  cmd->add_option("--model", o.model_, "Trained model folder")->required();
  cmd->add_option("--labels", o.labels_, "Labels CSV (path,label[,patient])")->required();
  cmd->add_option("--cache", o.cache_, "Embedding cache folder (default: the user's cache folder)");
  cmd->add_flag("--no-cache", o.noCache_, "Do not read or write the embedding cache");
  cmd->add_option("--seed", o.seed_, "Bootstrap seed");
  cmd->add_option("--bootstrap", o.bootstrap_, "Bootstrap resamples for the CIs")->check(CLI::Range(10, 100000));
  cmd->add_option("--threshold", o.threshold_, "Binary operating point on the second class's probability")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_flag("--json", o.json_, "Machine-readable output");
  return cmd;
}

CLI::App* addEvaluateSuiteCommand(CLI::App& cli, EvaluateSuiteOptions& o) {
  auto* cmd = cli.add_subcommand(
      "evaluate-suite",
      "Probe AUROC/accuracy (95% CIs) on every task of the evaluation suite: random weights, the model, continued DINO");
  cmd->add_option("--model", o.model, "Model folder (its backbone is evaluated; the head is not used)")->required();
  cmd->add_option("--suite", o.suite, "suite.json of packaging/make-eval-data.sh")->required();
  cmd->add_option("--task", o.tasks, "Only these tasks (repeatable; default: all)");
  cmd->add_option("--backbone", o.backbones, "Only these backbones: random_init, model, continued_dino (repeatable)");
  cmd->add_option("--max-train-per-class", o.maxTrainPerClass, "Use the first N training images of each class");
  cmd->add_option("--max-test-per-class", o.maxTestPerClass, "Use the first N test images of each class");
  cmd->add_option("--cache", o.cache, "Embedding cache folder for the model's embeddings (default: the user's)");
  cmd->add_flag("--no-cache", o.noCache, "Do not read or write the embedding cache");
  cmd->add_option("--seed", o.seed, "Seed of random init, DINO and the bootstrap");
  cmd->add_option("--bootstrap", o.bootstrap, "Bootstrap resamples for the CIs")->check(CLI::Range(10, 100000));
  cmd->add_option("--C", o.c, "Probe: inverse L2 strength (scikit-learn's C)")->check(CLI::PositiveNumber);
  cmd->add_option("--dino-steps", o.dinoSteps, "Continued DINO: optimiser steps per task")->check(CLI::Range(1, 1000000));
  cmd->add_option("--dino-batch", o.dinoBatch, "Continued DINO: images per step")->check(CLI::Range(2, 4096));
  cmd->add_option("--dino-local-crops", o.dinoLocalCrops, "Continued DINO: local views per image")
      ->check(CLI::Range(0, 32));
  cmd->add_option("--dino-prototypes", o.dinoPrototypes, "Continued DINO: prototypes of the projection head")
      ->check(CLI::Range(16, 65536));
  cmd->add_option("--dino-lr", o.dinoLr, "Continued DINO: peak learning rate (default 5e-4 x batch / 256, as DINO)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--json", o.json, "Machine-readable output");
  return cmd;
}

CLI::App* addVersionCommand(CLI::App& cli) {
  return cli.add_subcommand("version", "Versions, LibTorch runtime and BLAS check");
}

}  // namespace meridian::app
