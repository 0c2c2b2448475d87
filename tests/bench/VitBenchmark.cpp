// ViT-B/16 inference on the CPU: Meridian (LibTorch C++, fp32 and bf16 where the CPU has
// it) vs PyTorch eager torchvision.models.vit_b_16 (/usr/bin/python3, same precisions,
// torch.inference_mode, threads = cores) in the same run, plus the cost of asking for the
// attention maps (CLS attention, rollout, gradient-weighted). Medians of RUNS warm calls;
// the ratios are the result. Not a test.
//
//   build/bin/bench_vit [runs=5] [batches=1,16] [meridian-only]
//   e.g. build/bin/bench_vit 5 1,16,32
//   build/bin/bench_vit once [runs=3] [batches=1,16] [precisions=fp32,bf16] [threads=cores]
//   build/bin/bench_vit gemm [runs=5] [rows=3152] [threads=cores]
//     Meridian alone in the peers' line format, and each block product's GFLOP/s: what
//     vit_onnx_compare.py (Meridian vs PyTorch eager vs ONNX Runtime) runs.
//   build/bin/bench_vit paired [rounds=5] [batch=16] [precision=bf16]
//     alternates Meridian and the peer round by round (each a median of 3 calls) and
//     reports the median of the per-round ratios: on a host whose speed drifts (shared
//     cloud VMs), a ratio taken from neighbouring rounds is the trustworthy number.
//
// Build: cmake --preset default && cmake --build build --target bench_vit
// Weights: VitModel::create(vit_b_16, seed 0) and torchvision's random init: speed does
// not depend on the values. Input: random normalised pixels, already 224x224 (the
// preprocessing is not timed). MERIDIAN_DISABLE_BF16=1 measures fp32 only.
// The load average is printed before and after: a busy machine makes every number slower.
// With bf16 it also measures the bf16 matrix product alone (fc1's shape and 4096^3) and
// prints the model's GFLOP/s as a share of it: the ceiling on this CPU.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "BenchPeer.hpp"
#include "BenchTiming.hpp"
#include "meridian/model/Runtime.hpp"
#include "meridian/model/VitModel.hpp"

using namespace meridian;
using meridian::bench::loadAverage;
using meridian::bench::medianMs;

namespace {

std::vector<int> parseBatches(const std::string& text) {
  std::vector<int> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) out.push_back(std::max(1, std::atoi(item.c_str())));
  return out;
}

model::InputBatch randomBatch(int batch) {
  model::InputBatch in{batch, 224, 224, {}};
  in.data.resize(static_cast<std::size_t>(batch) * 3 * 224 * 224);
  std::mt19937 rng(1);
  std::normal_distribution<float> normal;
  for (float& v : in.data) v = normal(rng);
  return in;
}

// (precision, batch) -> median ms from the Python peer; empty when it failed.
std::map<std::pair<std::string, int>, double> runPeer(int runs, const std::string& batches,
                                                      const std::string& precisions) {
  return bench::runPeer("vit_eager.py", std::to_string(runs) + " " + batches + " " + precisions);
}

int runPaired(int rounds, int batch, const std::string& precision) {
  const auto runtime = model::initializeRuntime();
  std::printf("ViT-B/16 paired rounds: batch %d, %s, %d threads, load average before: %s\n", batch,
              precision.c_str(), runtime.intraOpThreads, loadAverage().c_str());
  auto vit = std::move(model::VitModel::create(model::VitConfig::preset("vit_b_16").value(), 0).value());
  if (precision == "bf16" &&
      vit->setPrecision(model::Precision::BFloat16).active != model::Precision::BFloat16) {
    std::printf("bf16 unavailable on this CPU\n");
    return 1;
  }
  const auto input = randomBatch(batch);
  std::vector<double> ratios, oursMs, peerMs;
  for (int round = 0; round < rounds; ++round) {
    const double ours = medianMs(3, [&] { (void)vit->predict(input); });
    const auto peer = runPeer(3, std::to_string(batch), precision);
    const auto it = peer.find({precision, batch});
    if (it == peer.end()) return 1;
    oursMs.push_back(ours);
    peerMs.push_back(it->second);
    ratios.push_back(it->second / ours);
    std::printf("  round %d: Meridian %.1f ms (%.2f img/s), eager %.1f ms (%.2f img/s), %.3fx\n", round + 1, ours,
                1000.0 * batch / ours, it->second, 1000.0 * batch / it->second, ratios.back());
    std::fflush(stdout);
  }
  const auto median = [](std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
  };
  std::printf("median over %d rounds: Meridian %.2f img/s, eager %.2f img/s, ratio %.3fx (min %.3f, max %.3f)\n",
              rounds, 1000.0 * batch / median(oursMs), 1000.0 * batch / median(peerMs), median(ratios),
              *std::min_element(ratios.begin(), ratios.end()), *std::max_element(ratios.begin(), ratios.end()));
  std::printf("load average after: %s\n", loadAverage().c_str());
  return 0;
}

// Process CPU time in ms (all threads): with a loaded machine, wall time measures the
// neighbours too; CPU time per call is what this process itself spent, spinning included.
double processCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

// `bench_vit once RUNS BATCHES PRECISIONS`: Meridian alone, one line per measurement in the
// peers' format ("RESULT <precision> <batch> <median wall ms> <median cpu ms>"), for
// vit_onnx_compare.py to alternate with the peers.
int runOnce(int runs, const std::string& batches, const std::string& precisions, int threads) {
  if (threads > 0) model::setIntraOpThreads(threads);
  model::initializeRuntime();
  auto vit = std::move(model::VitModel::create(model::VitConfig::preset("vit_b_16").value(), 0).value());
  std::stringstream list(precisions);
  for (std::string precision; std::getline(list, precision, ',');) {
    const auto want = precision == "bf16" ? model::Precision::BFloat16 : model::Precision::Float32;
    if (vit->setPrecision(want).active != want) continue;  // bf16 where the CPU lacks it: no line
    for (int batch : parseBatches(batches)) {
      const auto input = randomBatch(batch);
      std::vector<double> cpu;
      const double wall = medianMs(runs, [&] {
        const double c0 = processCpuMs();
        (void)vit->predict(input);
        cpu.push_back(processCpuMs() - c0);
      });
      cpu.erase(cpu.begin());  // the warm-up call
      std::nth_element(cpu.begin(), cpu.begin() + cpu.size() / 2, cpu.end());
      std::printf("RESULT %s %d %.3f %.3f\n", precision.c_str(), batch, wall, cpu[cpu.size() / 2]);
      std::fflush(stdout);
    }
  }
  return 0;
}

// `bench_vit gemm RUNS ROWS`: GFLOP/s of each block product alone as Meridian's fp32 path
// calls it (InferenceLinear: oneDNN, or LibTorch's BLAS without it), rows = batch x 197 tokens;
// the name's suffix says which ("qkv/onednn").
int runGemm(int runs, int rows, int threads) {
  if (threads > 0) model::setIntraOpThreads(threads);
  model::initializeRuntime();
  const std::vector<std::tuple<const char*, int, int>> products{
      {"qkv", 768, 2304}, {"proj", 768, 768}, {"fc1", 768, 3072}, {"fc2", 3072, 768}};
  for (const auto& [name, k, n] : products) {
    std::string backend;
    const double gflops = model::inferenceLinearGflops(rows, k, n, runs, &backend);
    std::printf("GEMM %s %d %d %d %.1f %s\n", name, rows, k, n, gflops, backend.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "once")
    return runOnce(argc > 2 ? std::max(1, std::atoi(argv[2])) : 3, argc > 3 ? argv[3] : "1,16",
                   argc > 4 ? argv[4] : "fp32,bf16", argc > 5 ? std::atoi(argv[5]) : 0);
  if (argc > 1 && std::string(argv[1]) == "gemm")
    return runGemm(argc > 2 ? std::max(1, std::atoi(argv[2])) : 5, argc > 3 ? std::max(1, std::atoi(argv[3])) : 3152,
                   argc > 4 ? std::atoi(argv[4]) : 0);
  if (argc > 1 && std::string(argv[1]) == "paired")
    return runPaired(argc > 2 ? std::max(1, std::atoi(argv[2])) : 5, argc > 3 ? std::max(1, std::atoi(argv[3])) : 16,
                     argc > 4 ? argv[4] : "bf16");
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  const std::string batchText = argc > 2 ? argv[2] : "1,16";
  const bool meridianOnly = argc > 3 && std::string(argv[3]) == "meridian-only";
  const auto batches = parseBatches(batchText);

  const auto runtime = model::initializeRuntime();
  const auto& bf16 = model::bf16Support();
  std::printf("ViT-B/16, 224x224, %d threads, LibTorch %s, BLAS %s\n", runtime.intraOpThreads,
              runtime.torchVersion.c_str(), runtime.blasLibrary.c_str());
  std::printf("bf16: %s (%s)\nload average before: %s\n", bf16.available ? "yes" : "no", bf16.reason.c_str(),
              loadAverage().c_str());

  auto config = model::VitConfig::preset("vit_b_16");
  auto vit = std::move(model::VitModel::create(config.value(), 0).value());
  std::vector<std::string> precisions{"fp32"};
  if (bf16.available) precisions.push_back("bf16");

  // Meridian: predict() per batch size and precision; each explain() method at batch 1.
  std::map<std::pair<std::string, int>, double> ours;
  // (precision, method) -> (predict, explain) ms
  std::map<std::pair<std::string, std::string>, std::pair<double, double>> attention;
  for (const auto& precision : precisions) {
    vit->setPrecision(precision == "bf16" ? model::Precision::BFloat16 : model::Precision::Float32);
    for (int batch : batches) {
      const auto input = randomBatch(batch);
      ours[{precision, batch}] = medianMs(runs, [&] { (void)vit->predict(input); });
      std::printf("  meridian %s batch %d: %.1f ms\n", precision.c_str(), batch, ours[{precision, batch}]);
      std::fflush(stdout);
    }
    // Alternate predict and the map at batch 1 over twice the runs: a slow phase of the
    // machine then hits both rather than one.
    const auto one = randomBatch(1);
    for (auto method : {model::ExplainMethod::ClsAttention, model::ExplainMethod::Rollout,
                        model::ExplainMethod::GradientAttention}) {
      std::vector<double> plain, withMap;
      for (int round = 0; round < 2; ++round) {
        plain.push_back(medianMs(runs, [&] { (void)vit->predict(one); }));
        withMap.push_back(medianMs(runs, [&] { (void)vit->explain(one, method); }));
      }
      attention[{precision, model::toString(method)}] = {std::min(plain[0], plain[1]), std::min(withMap[0], withMap[1])};
    }
  }

  std::string peerPrecisions;
  for (const auto& p : precisions) peerPrecisions += (peerPrecisions.empty() ? "" : ",") + p;
  if (!meridianOnly) std::printf("load average before the peer: %s\n", loadAverage().c_str());
  const auto peer = meridianOnly ? decltype(ours){} : runPeer(runs, batchText, peerPrecisions);

  std::printf("\n%-6s %5s | %12s %10s | %12s %10s | %s\n", "prec", "batch", "Meridian ms", "img/s", "eager ms", "img/s",
              "Meridian/eager speed");
  for (const auto& precision : precisions) {
    for (int batch : batches) {
      const double m = ours[{precision, batch}];
      const auto it = peer.find({precision, batch});
      if (it == peer.end()) {
        std::printf("%-6s %5d | %12.1f %10.2f | %12s %10s | -\n", precision.c_str(), batch, m, 1000.0 * batch / m, "-",
                    "-");
      } else {
        std::printf("%-6s %5d | %12.1f %10.2f | %12.1f %10.2f | %.2fx\n", precision.c_str(), batch, m,
                    1000.0 * batch / m, it->second, 1000.0 * batch / it->second, it->second / m);
      }
    }
  }
  if (bf16.available) {
    for (int batch : batches)
      std::printf("Meridian bf16/fp32 speed-up at batch %d: %.2fx\n", batch, ours[{"fp32", batch}] / ours[{"bf16", batch}]);
  }
  // What the matrix products alone reach on this CPU: ViT-B/16 is 35.2 GFLOP per image at
  // 224 px, nearly all of it in products like fc1's [16 x 197, 768] x [768, 3072] at batch
  // 16, so images/s x 35.2 over this ceiling is the share of the machine the model uses.
  // The limit (904 GFLOP/s, an AMX/oneDNN figure) is printed beside it.
  if (bf16.available) {
    const double fc1 = model::matmulGflops(16 * 197, 768, 3072, /*bf16=*/true, runs);
    const double square = model::matmulGflops(4096, 4096, 4096, /*bf16=*/true, std::max(3, runs / 2));
    std::printf("bf16 matrix products on this CPU: fc1 shape %.0f GFLOP/s, 4096^3 %.0f GFLOP/s\n", fc1, square);
    for (int batch : batches) {
      const double gflops = 35.2 * 1000.0 * batch / ours[{"bf16", batch}];
      std::printf("Meridian bf16 batch %d: %.0f GFLOP/s = %.0f%% of the fc1-shape product, %.0f%% of 904 GFLOP/s\n",
                  batch, gflops, 100.0 * gflops / fc1, 100.0 * gflops / 904.0);
    }
  }
  const std::map<std::string, std::string> goals{{"cls", " (goal <= 1.05x)"}, {"rollout", " (goal <= 1.3x)"},
                                                 {"gradcam", " (forward + backward)"}};
  for (const auto& [key, ms] : attention)
    std::printf("explain %s vs predict, batch 1, %s: %.1f vs %.1f ms = %.3fx%s\n", key.second.c_str(),
                key.first.c_str(), ms.second, ms.first, ms.second / ms.first, goals.at(key.second).c_str());
  std::printf("load average after: %s\n", loadAverage().c_str());
  return 0;
}
