// DINO continued-pretraining step on CPU: ViT-S/16, multi-crop (2 x 224 global + N x 96
// local views), student + EMA teacher + projection head + centring, against a PyTorch eager
// DINO step of the same recipe (tests/bench/dino_eager.py) in the same run. Prints per
// variant the median step time, images/s (source images; each is 2 + N views), the model
// GFLOP per image (forward + backward of the student, forward of the teacher; counted from
// the ViT's matrix products) and GFLOP/s, the ratio to eager, and the peak resident memory.
// Variants: Meridian as shipped (views of the next step made on a worker thread; bf16
// autocast where the CPU has native bf16), Meridian with the views made in the step
// (MERIDIAN_DINO_SYNC_VIEWS=1), Meridian fp32 (--fp32), and eager fp32 (and bf16 where the CPU
// has it); `--fp32 0` leaves out Meridian's fp32 variant. For the per-FLOP
// comparison the same process also times Meridian's own fine-tuning
// step of the same ViT (bench_train's: forwardBackward + AdamW, same batch at the model's size,
// bf16 where native), so both GFLOP/s come from one run under one load.
// No GPU path: the Debian LibTorch has no CUDA.
//   bench_dino [--batch 8] [--local-crops 6] [--steps 3] [--arch vit_s_16] [--prototypes 4096]
//              [--meridian-only 1] [--fine-tune 0] [--fp32 0] [--image-size 112] [--threads N]
//              [--phases 1 [--rounds N]] [--ops N] [--paired N]
// --paired N alternates, N rounds: Meridian's DINO step (views on the worker), the eager peer
// (in Meridian's precision only) and Meridian's fine-tuning step, and prints the median of the
// per-round ratios: on a host whose speed drifts by more than the effect (+-8% between runs
// of one binary on the 2-core VMs), ratios of neighbouring measurements are the trustworthy
// numbers (as bench_vit paired).
// --ops N prints the N operators of the DINO step with the most self time (LibTorch's
// profiler, tests/bench/OperatorTable.hpp; OPS_SHAPES=1 splits them by input shapes), to set beside
// torch.profiler's table of the eager step.
// The GFLOP are the recipe's nominal work, every token through every block as eager computes
// it; Meridian's last block computes the CLS row only (~6% fewer FLOP), so GFLOP/s compare equal work.
// --phases 1 prints only the median time and GFLOP/s of each phase of the DINO step and of
// the fine-tuning step (tests/bench/DinoPhases.hpp), alternating the two --rounds times, and
// the update phase before and after its fusion (LibTorch's per-parameter ops vs one pass).
// The bundled model's recipe (steps per hour in the README):
//   bench_dino --arch vit_t_16 --image-size 112 --batch 32 --local-crops 4 --prototypes 1024 --meridian-only 1
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "BenchPeer.hpp"
#include "BenchTiming.hpp"
#include "DinoPhases.hpp"
#include "FineTuneStep.hpp"
#include "OperatorTable.hpp"
#include "Vit.hpp"
#include "meridian/io/ImageSummary.hpp"
#include "meridian/io/ReaderRegistry.hpp"
#include "meridian/model/Precision.hpp"
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

/// Multiply-adds x 2 of one ViT forward at `size` px: patch embedding, and per block qkv,
/// attention (QK^T and AV), projection and MLP.
double vitForwardFlops(const model::VitConfig& c, int size) {
  const double n = static_cast<double>((size / c.patchSize) * (size / c.patchSize) + 1 + c.registerTokens);
  const double d = c.embedDim, hidden = c.embedDim * c.mlpRatio;
  const double patch = 2.0 * (n - 1) * 3.0 * c.patchSize * c.patchSize * d;
  const double block = 2.0 * n * d * 3 * d + 2.0 * 2.0 * n * n * d + 2.0 * n * d * d + 2.0 * 2.0 * n * d * hidden;
  return patch + c.depth * block;
}

std::map<std::string, double> runPeer(int runs, int batch, int localCrops, int prototypes, const std::string& precisions) {
  return bench::byPrecision(bench::runPeer("dino_eager.py", std::to_string(runs) + " " + std::to_string(batch) + " " +
                                                                std::to_string(localCrops) + " " +
                                                                std::to_string(prototypes) + " " + precisions));
}

/// Median ms of Meridian's own fine-tuning step (bench_train's loop body) on `batch` random
/// inputs at the preset's size: the per-FLOP yardstick for the DINO step.
double fineTuneStepMs(const model::VitConfig& preset, int batch, int runs, bool bf16) {
  bench::FineTuneStep step(preset, batch);
  return bench::medianMs(runs, [&] { step.run(bf16); });
}

}  // namespace

int main(int argc, char** argv) {
  int threads = -1, batch = 8, localCrops = 6, steps = 3, prototypes = 4096, meridianOnly = 0, fineTune = 1, imageSize = 0, withFp32 = 1;
  int phases = 0, rounds = 1, ops = 0, paired = 0;
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
    else if (key == "--meridian-only")
      meridianOnly = std::stoi(argv[i + 1]);
    else if (key == "--fine-tune")
      fineTune = std::stoi(argv[i + 1]);
    else if (key == "--fp32")
      withFp32 = std::stoi(argv[i + 1]);
    else if (key == "--image-size")
      imageSize = std::stoi(argv[i + 1]);
    else if (key == "--threads")
      threads = std::stoi(argv[i + 1]);
    else if (key == "--phases")
      phases = std::stoi(argv[i + 1]);
    else if (key == "--rounds")
      rounds = std::stoi(argv[i + 1]);
    else if (key == "--ops")
      ops = std::stoi(argv[i + 1]);
    else if (key == "--paired")
      paired = std::stoi(argv[i + 1]);
  }
  const auto runtime = model::initializeRuntime();
  if (threads >= 0) model::setIntraOpThreads(threads);  // as pretrain --threads (0 = one per core)
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
  if (imageSize > 0) config.value().imageSize = imageSize;  // e.g. the bundled model's 112
  const auto& c = config.value();
  const int localSize = std::max(16, static_cast<int>(c.imageSize * 3 / 7 / 16 * 16));
  const double gflopPerImage =
      (3.0 * (2 * vitForwardFlops(c, c.imageSize) + localCrops * vitForwardFlops(c, localSize)) +
       2 * vitForwardFlops(c, c.imageSize)) /
      1e9;
  const bool bf16 = model::bf16Support().available;
  std::printf("DINO step, %s, CPU (%d threads), batch %d, 2x%d + %dx%d views, %d prototypes; bf16: %s (%s)\n",
              arch.c_str(), at::get_num_threads(), batch, c.imageSize, localCrops, localSize, prototypes,
              bf16 ? "yes" : "no", model::bf16Support().reason.c_str());
  std::printf("model work per source image: %.1f GFLOP (student fwd+bwd on all views, teacher fwd on the globals)\n",
              gflopPerImage);
  std::printf("load average before: %s\n", bench::loadAverage().c_str());

  if (phases || ops) {
    const auto forwardGflop = [&c](int size) { return vitForwardFlops(c, size) / 1e9; };
    for (int round = 1; round <= rounds; ++round) {
      auto backbone = model::Vit(c);
      backbone->initializeWeights();
      std::map<std::string, at::Tensor> weights;
      for (const auto& item : backbone->named_parameters(true)) weights.emplace(item.key(), item.value().detach());
      model::DinoOptions options;
      options.batchSize = batch;
      options.localCrops = localCrops;
      options.prototypes = prototypes;
      options.epochs = steps + 1;
      auto state = model::ssl::buildDinoState(c, model::PreprocessConfig{}, weights, options, images);
      if (!state) return std::fprintf(stderr, "%s\n", state.error().describe().c_str()), 1;
      if (ops) {
        bench::printOperatorTable([&] { (void)model::ssl::dinoStep(*state.value()); }, steps, ops);
        continue;
      }
      char title[160];
      std::snprintf(title, sizeof title, "round %d, DINO step phases (load %s)", round, bench::loadAverage().c_str());
      bench::printPhases(title, bench::dinoPhases(*state.value(), steps, c.imageSize, localSize, forwardGflop));
      bench::updateBeforeAfter(*state.value(), 9);
      state.value().reset();
      std::snprintf(title, sizeof title, "round %d, fine-tuning step phases, batch %d (load %s)", round, batch,
                    bench::loadAverage().c_str());
      bench::printPhases(title, bench::fineTunePhases(c, batch, steps, bf16, forwardGflop(c.imageSize)));
    }
    return 0;
  }

  auto medianStepMs = [&](bool syncViews, bool fp32 = false) -> double {
    if (syncViews)
      setenv("MERIDIAN_DINO_SYNC_VIEWS", "1", 1);
    else
      unsetenv("MERIDIAN_DINO_SYNC_VIEWS");
    auto backbone = model::VitModel::create(c, 1).value();
    model::DinoOptions options;
    options.batchSize = batch;
    options.bf16 = fp32 ? 0 : 1;
    options.localCrops = localCrops;
    options.prototypes = prototypes;
    options.epochs = steps + 1;  // one step per epoch (batch == images)
    options.stopAfterSteps = steps + 1;
    auto trainer = model::DinoPretrainer::create(*backbone, options, images);
    if (!trainer) return std::fprintf(stderr, "%s\n", trainer.error().describe().c_str()), -1.0;
    trainer.value()->setThreads(threads);  // -1: the trainer's own choice, as pretrain without --threads
    std::vector<double> stepMs;
    auto last = std::chrono::steady_clock::now();
    core::JobControl job([&](const core::JobProgress&) {
      const auto now = std::chrono::steady_clock::now();
      stepMs.push_back(std::chrono::duration<double, std::milli>(now - last).count());
      last = now;
    });
    auto summary = trainer.value()->run(job, {}, {});
    if (!summary) return std::fprintf(stderr, "%s\n", summary.error().describe().c_str()), -1.0;
    stepMs.erase(stepMs.begin());  // warm-up step
    std::sort(stepMs.begin(), stepMs.end());
    return stepMs[stepMs.size() / 2];
  };
  std::map<std::string, double> peer;
  auto print = [&](const char* what, double ms, double eagerMs) {
    std::printf("%-44s median step %8.0f ms: %6.2f images/s, %6.1f GFLOP/s", what, ms, batch * 1000.0 / ms,
                gflopPerImage * batch * 1000.0 / ms);
    if (eagerMs > 0) std::printf(", %.2fx eager fp32", eagerMs / ms);
    if (peer.count("bf16")) std::printf(", %.2fx eager bf16", peer["bf16"] / ms);
    std::printf("\n");
  };

  const char* precision = bf16 ? "bf16" : "fp32";
  const double fineTuneGflop = 3.0 * vitForwardFlops(c, c.imageSize) / 1e9;  // forward + backward per image
  if (paired > 0) {
    std::vector<double> vsEager, perFlop, dinoMs;
    for (int round = 1; round <= paired; ++round) {
      const double dino = medianStepMs(false);
      auto eager = runPeer(steps, batch, localCrops, prototypes, precision);  // the compared precision only
      const double ft = fineTuneStepMs(c, batch, steps, bf16);
      if (dino <= 0 || !eager.count(precision)) return std::fprintf(stderr, "round %d failed\n", round), 1;
      dinoMs.push_back(dino);
      vsEager.push_back(eager[precision] / dino);
      perFlop.push_back((gflopPerImage / dino) / (fineTuneGflop / ft));
      std::printf(
          "round %d: DINO %.0f ms, eager %s %.0f ms: %.2fx; fine-tuning %.0f ms: DINO per FLOP %.2fx; load %s\n", round,
          dino, precision, eager[precision], vsEager.back(), ft, perFlop.back(), bench::loadAverage().c_str());
    }
    const auto median = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
    };
    const double step = median(dinoMs);
    std::printf(
        "median of %d rounds: %.2fx eager %s, DINO per FLOP %.2fx its fine-tuning step; DINO step %.0f ms, "
        "%.2f images/s, %.1f GFLOP/s\n",
        paired, median(vsEager), precision, median(perFlop), step, batch * 1000.0 / step,
        gflopPerImage * batch * 1000.0 / step);
    return 0;
  }

  const double overlapped = medianStepMs(false);
  const double inStep = medianStepMs(true);
  const double meridianFp32 = bf16 && withFp32 ? medianStepMs(false, true) : -1.0;
  // The eager peer runs fp32 before bf16 in one process even with --fp32 0: alone, its bf16 step
  // came out ~10% slower in one loaded comparison (2533 and 2696 ms against 2316 after fp32).
  if (!meridianOnly) peer = runPeer(steps, batch, localCrops, prototypes, bf16 ? "fp32,bf16" : "fp32");
  const double eager = peer.count("fp32") ? peer["fp32"] : -1.0;
  print((std::string("Meridian ") + precision + ", views on a worker thread").c_str(), overlapped, eager);
  print((std::string("Meridian ") + precision + ", views made in the step").c_str(), inStep, eager);
  if (meridianFp32 > 0) print("Meridian fp32 (--fp32), views on a worker thread", meridianFp32, eager);
  for (const auto& [p, ms] : peer) print(("PyTorch eager " + p).c_str(), ms, eager);
  if (peer.empty() && !meridianOnly) std::printf("peer: n/a\n");
  if (fineTune) {
    // Fine-tuning: student forward + backward only, 3 x the forward's FLOP per image.
    const double ftMs = fineTuneStepMs(c, batch, steps, bf16);
    const double ftGflop = fineTuneGflop;
    std::printf("%-44s median step %8.0f ms: %6.2f images/s, %6.1f GFLOP/s (%.1f GFLOP per image)\n",
                (std::string("Meridian fine-tuning step, ") + precision).c_str(), ftMs, batch * 1000.0 / ftMs,
                ftGflop * batch * 1000.0 / ftMs, ftGflop);
    std::printf("DINO per FLOP vs fine-tuning: %.2fx (views on a worker thread)\n",
                (gflopPerImage * batch / overlapped) / (ftGflop * batch / ftMs));
  }
  std::printf("peak RSS %.0f MiB; load average after: %s\n", peakRssKiB() / 1024.0, bench::loadAverage().c_str());
  return 0;
}
