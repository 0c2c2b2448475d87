#pragma once
// `meridian-cli pretrain`: continued self-supervised pretraining (DINO) of a ViT backbone on
// local unlabelled images, with checkpoints, resume, and data-parallel ranks from the
// torchrun variables (MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE).

#include <cstdint>
#include <filesystem>
#include <string>

namespace meridian::app {

struct PretrainOptions {
  std::string method = "dino";
  std::filesystem::path modelDir;  // base model folder, or
  std::string arch;                // a fresh backbone: vit_t_16 | vit_s_16 | ...
  int imageSize = 0;               // with --arch: input size (0 = the preset's)
  std::filesystem::path images;    // folder (recursive) or CSV with a `path` column
  std::filesystem::path outDir;
  std::filesystem::path resume;  // checkpoint to continue
  int memory = 0;
  int rehearsal = 0;
  int epochs = 10;
  int batch = 16;
  int localCrops = 6;
  std::uint64_t seed = 0;
  double learningRate = 0;  // 0 = DINO's 5e-4 x batch / 256
  int prototypes = 4096;
  double teacherTemperature = 0;  // 0 = DinoOptions' default
  double teacherMomentum = -1;    // < 0 = DinoOptions' default
  std::int64_t stopAfter = 0;        // stop (with a checkpoint) after this many steps in total
  std::int64_t checkpointEvery = 0;  // steps; 0 = every epoch
  std::string name;                  // model card name (default: "<out folder>")
  bool force = false;                // a fresh run into an existing, non-empty --out
  bool skipUnreadable = false;       // leave out (and name) images that are missing or do not decode
  bool fp32 = false;                 // no bf16 autocast even where the CPU has native bf16
  int threads = -1;                  // compute threads; -1 = chosen from the model's size
};

int runPretrain(const PretrainOptions& options);

}  // namespace meridian::app
