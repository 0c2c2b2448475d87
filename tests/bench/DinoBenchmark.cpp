// DINO continued-pretraining step on CPU: ViT-S/16, multi-crop (2 x 224 global + N x 96
// local views), student + EMA teacher + projection head + centring, fp32. Prints images/s
// (source images per second; each is 2 + N views) and the process's peak resident memory.
// No GPU path: the Debian LibTorch has no CUDA (the MFU goal needs a device).
//   bench_dino [--batch 8] [--local-crops 6] [--steps 3] [--arch vit_s_16] [--prototypes 4096]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "meridian/io/ImageSummary.hpp"
#include "meridian/io/ReaderRegistry.hpp"
#include "meridian/model/Pretrainer.hpp"
#include "meridian/model/Runtime.hpp"

using namespace meridian;

namespace {

long peakRssKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  int batch = 8, localCrops = 6, steps = 3, prototypes = 4096;
  std::string arch = "vit_s_16";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    if (key == "--batch")
      batch = std::stoi(argv[i + 1]);
    else if (key == "--local-crops")
      localCrops = std::stoi(argv[i + 1]);
    else if (key == "--steps")
      steps = std::stoi(argv[i + 1]);
    else if (key == "--arch")
      arch = argv[i + 1];
    else if (key == "--prototypes")
      prototypes = std::stoi(argv[i + 1]);
  }
  const auto runtime = model::initializeRuntime();
  // Real images: the demo set's fundus photograph, IHC crop and CT slices.
  std::vector<core::Image2D> images;
  for (const char* name : {"fundus-retina.jpg", "pathology-ihc.png", "ct-ankle-512.dcm", "ct-slice.dcm"}) {
    auto opened = io::ReaderRegistry::builtin().open(std::string(MERIDIAN_BENCH_DEMO_DATA) + "/" + name);
    if (!opened) return std::fprintf(stderr, "%s\n", opened.error().describe().c_str()), 1;
    images.push_back(io::representativeImage(opened.value()).value());
  }
  while (static_cast<int>(images.size()) < batch) images.push_back(images[images.size() % 4]);

  auto config = model::VitConfig::preset(arch, 0);
  if (!config) return std::fprintf(stderr, "%s\n", config.error().describe().c_str()), 2;
  auto backbone = model::VitModel::create(config.value(), 1).value();
  model::DinoOptions options;
  options.batchSize = batch;
  options.localCrops = localCrops;
  options.prototypes = prototypes;
  options.epochs = steps + 1;  // one step per epoch (batch == images)
  options.stopAfterSteps = steps + 1;
  auto trainer = model::DinoPretrainer::create(*backbone, options, images);
  if (!trainer) return std::fprintf(stderr, "%s\n", trainer.error().describe().c_str()), 1;

  std::vector<double> stepMs;
  auto last = std::chrono::steady_clock::now();
  core::JobControl job([&](const core::JobProgress&) {
    const auto now = std::chrono::steady_clock::now();
    stepMs.push_back(std::chrono::duration<double, std::milli>(now - last).count());
    last = now;
  });
  auto summary = trainer.value()->run(job, {}, {});
  if (!summary) return std::fprintf(stderr, "%s\n", summary.error().describe().c_str()), 1;
  stepMs.erase(stepMs.begin());  // warm-up step
  std::sort(stepMs.begin(), stepMs.end());
  const double median = stepMs[stepMs.size() / 2];
  std::printf("DINO step, %s, fp32 CPU (%d threads), batch %d, 2x%d + %dx%d views, %d prototypes\n", arch.c_str(),
              runtime.intraOpThreads, batch, config.value().imageSize, localCrops,
              std::max(16, static_cast<int>(config.value().imageSize * 3 / 7 / 16 * 16)), prototypes);
  std::printf("median step %.0f ms over %zu steps: %.2f images/s (%.1f views/s); peak RSS %.0f MiB\n", median,
              stepMs.size(), batch * 1000.0 / median, batch * (2 + localCrops) * 1000.0 / median,
              peakRssKiB() / 1024.0);
  return 0;
}
