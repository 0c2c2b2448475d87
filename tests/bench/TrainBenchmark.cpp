// ViT-S/16 full fine-tuning throughput on the CPU: Meridian (LibTorch C++, the training
// loop's own forwardBackward + AdamW over layer-wise-decayed parameter groups) vs PyTorch
// eager (torchvision's VisionTransformer at ViT-S sizes, AdamW, same loss) in the same run.
// Images/s from the median step time of RUNS warm steps; fp32, and bf16 autocast where the
// CPU has native bf16. Not a test.
//
//   build/bin/bench_train [runs=3] [batch=8] [meridian-only | ops N [threads] | paired N]
//
// `ops N` profiles Meridian's bf16 step instead (OperatorTable.hpp): the N operators with the
// most self time over RUNS steps, on `threads` intra-op threads (1 gives the truest shares).
// `paired N` alternates N rounds of Meridian's step and the eager peer's, bf16 where the CPU
// has it (else fp32), and prints each round's ratio and the median: this host's speed moves
// by ~10% from minute to minute, and a ratio of two runs minutes apart moves with it.
//
// Weights are random (speed does not depend on the values); input is random normalised
// pixels at 224x224 (loading and augmentation are not timed). The load average is printed
// before and after: a busy machine makes every number slower.

#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "BenchPeer.hpp"
#include "BenchTiming.hpp"
#include "FineTuneStep.hpp"
#include "OperatorTable.hpp"
#include "meridian/model/Precision.hpp"
#include "meridian/model/Runtime.hpp"

using namespace meridian;
using meridian::bench::loadAverage;

namespace {

std::map<std::string, double> runPeer(int runs, int batch, const std::string& precisions) {
  return bench::byPrecision(
      bench::runPeer("train_eager.py", std::to_string(runs) + " " + std::to_string(batch) + " " + precisions));
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const auto n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

int runPaired(bench::FineTuneStep& step, int runs, int batch, bool bf16, int rounds) {
  const std::string precision = bf16 ? "bf16" : "fp32";
  std::vector<double> ours, ratios;
  for (int round = 1; round <= rounds; ++round) {
    const double ms = bench::medianMs(runs, [&] { step.run(bf16); });
    const auto peer = runPeer(runs, batch, precision);
    const auto it = peer.find(precision);
    if (it == peer.end()) return std::fprintf(stderr, "round %d: the eager peer gave no result\n", round), 1;
    ours.push_back(ms);
    ratios.push_back(it->second / ms);
    std::printf("round %d: meridian %s %.1f ms, eager %.1f ms: %.2fx; load %s\n", round, precision.c_str(), ms,
                it->second, ratios.back(), loadAverage().c_str());
    std::fflush(stdout);
  }
  std::printf("median of %d rounds: %.2fx eager %s; meridian step %.1f ms, %.2f images/s\n", rounds, median(ratios),
              precision.c_str(), median(ours), batch * 1000.0 / median(ours));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
  const int batch = argc > 2 ? std::max(1, std::atoi(argv[2])) : 8;
  const bool meridianOnly = argc > 3 && std::string(argv[3]) == "meridian-only";
  const int opsRows = argc > 4 && std::string(argv[3]) == "ops" ? std::max(1, std::atoi(argv[4])) : 0;
  const int pairedRounds = argc > 4 && std::string(argv[3]) == "paired" ? std::max(1, std::atoi(argv[4])) : 0;
  if (opsRows && argc > 5) model::setIntraOpThreads(std::max(1, std::atoi(argv[5])));
  const auto runtime = model::initializeRuntime();
  const auto& bf16 = model::bf16Support();
  std::printf("ViT-S/16 full fine-tuning step, batch %d, 224x224, %d threads, LibTorch %s\n", batch,
              runtime.intraOpThreads, runtime.torchVersion.c_str());
  std::printf("bf16: %s (%s)\nload average before: %s\n", bf16.available ? "yes" : "no", bf16.reason.c_str(),
              loadAverage().c_str());

  bench::FineTuneStep step(model::VitConfig::preset("vit_s_16", 2).value(), batch);
  if (opsRows) {
    bench::printOperatorTable([&] { step.run(bf16.available); }, runs, opsRows);
    return 0;
  }
  if (pairedRounds) return runPaired(step, runs, batch, bf16.available, pairedRounds);

  std::string precisions = "fp32";
  if (bf16.available) precisions += ",bf16";
  std::map<std::string, double> ours;
  for (const std::string precision : {"fp32", "bf16"}) {
    if (precision == "bf16" && !bf16.available) continue;
    ours[precision] = bench::medianMs(runs, [&] { step.run(precision == "bf16"); });
    std::printf("  meridian %s: %.1f ms/step, %.2f images/s\n", precision.c_str(), ours[precision],
                batch * 1000.0 / ours[precision]);
    std::fflush(stdout);
  }
  const auto peer = meridianOnly ? std::map<std::string, double>{} : runPeer(runs, batch, precisions);
  std::printf("\n%-6s %18s %18s %8s\n", "", "meridian img/s", "pytorch img/s", "ratio");
  for (const auto& [precision, ms] : ours) {
    const auto it = peer.find(precision);
    if (it == peer.end()) {
      std::printf("%-6s %18.2f %18s %8s\n", precision.c_str(), batch * 1000.0 / ms, "n/a", "");
      continue;
    }
    std::printf("%-6s %18.2f %18.2f %7.2fx\n", precision.c_str(), batch * 1000.0 / ms, batch * 1000.0 / it->second,
                it->second / ms);
  }
  std::printf("load average after: %s\n", loadAverage().c_str());
  return 0;
}
