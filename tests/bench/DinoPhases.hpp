#pragma once
// bench_dino --phases: the median wall time of each phase of a DINO step (ssl::dinoStep's own
// laps) and of Meridian's fine-tuning step (forward, backward, AdamW) of the same ViT, each
// with the FLOP it does and its GFLOP/s, so the phase that is slow per FLOP stands out.
// The DINO state is built directly (ssl::buildDinoState) with the step running here, so the
// laps are read from each step's result.

#include <torch/torch.h>  // before clip_grad.h, which does not include what it uses
#include <torch/nn/utils/clip_grad.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "FineTuneStep.hpp"
#include "ssl/DinoStep.hpp"
#include "train/FusedAdamW.hpp"

namespace meridian::bench {

struct PhaseRow {
  std::string name;
  double ms = 0;     // median over the timed steps
  double gflop = 0;  // work of the phase per step (0: not counted)
};

inline double medianOf(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

inline void printPhases(const char* title, const std::vector<PhaseRow>& rows) {
  double total = 0;
  for (const auto& r : rows) total += r.ms;
  std::printf("%s (sum of medians %.0f ms)\n", title, total);
  for (const auto& r : rows) {
    std::printf("  %-16s %8.1f ms %5.1f%%", r.name.c_str(), r.ms, 100.0 * r.ms / total);
    if (r.gflop > 0) std::printf("  %7.1f GFLOP %7.1f GFLOP/s", r.gflop, r.gflop * 1000.0 / r.ms);
    std::printf("\n");
  }
}

/// The DINO step's phases over `steps` timed steps after one warm-up. `forwardGflop(size)` is
/// one image's backbone forward at `size` px; the backward counts twice its forward.
inline std::vector<PhaseRow> dinoPhases(model::ssl::DinoState& state, int steps, int globalSize, int localSize,
                                        const std::function<double(int)>& forwardGflop) {
  std::map<std::string, std::vector<double>> laps;
  for (int s = 0; s <= steps; ++s) {
    const auto r = model::ssl::dinoStep(state);
    if (s == 0) continue;
    const auto& p = r.phases;
    for (const auto& [name, ms] : std::vector<std::pair<std::string, double>>{
             {"views", p.views}, {"teacher fwd", p.teacher}, {"student fwd 224", p.studentGlobal},
             {"student fwd 96", p.studentLocal}, {"heads + loss", p.heads}, {"backward", p.backward},
             {"clip+AdamW+EMA", p.update}, {"centre etc.", p.rest}})
      laps[name].push_back(ms);
  }
  const auto& o = state.options;
  const double globals = 2.0 * o.batchSize * forwardGflop(globalSize);
  const double localsFwd = static_cast<double>(o.localCrops) * o.batchSize * forwardGflop(localSize);
  const std::map<std::string, double> gflop{{"teacher fwd", globals},
                                            {"student fwd 224", globals},
                                            {"student fwd 96", localsFwd},
                                            {"backward", 2.0 * (globals + localsFwd)}};
  std::vector<PhaseRow> rows;
  for (const char* name : {"views", "teacher fwd", "student fwd 224", "student fwd 96", "heads + loss", "backward",
                           "clip+AdamW+EMA", "centre etc."}) {
    const auto it = gflop.find(name);
    rows.push_back({name, medianOf(laps[name]), it == gflop.end() ? 0.0 : it->second});
  }
  return rows;
}

/// The update phase alone, before and after issue 19's fusion, alternating `pairs` times on the
/// gradients of a real step (the last dinoStep leaves them): LibTorch's clip_grad_norm_ +
/// AdamW::step + the per-parameter EMA (what dinoStep did before), then the fused pass. Short
/// and interleaved, so a load that changes by the minute hits both alike. Prints the medians
/// and the median of the per-pair ratios.
inline void updateBeforeAfter(model::ssl::DinoState& state, int pairs) {
  std::vector<at::Tensor> parameters;
  model::train::EmaFollow ema;
  ema.momentum = 0.996;
  for (std::size_t i = 0; i < state.studentParameters.size(); ++i) {
    parameters.push_back(state.studentParameters[i].second);
    ema.pairs.emplace_back(state.studentParameters[i].second, state.teacherParameters[i].second);
  }
  using Clock = std::chrono::steady_clock;
  std::vector<double> before, after, ratio;
  torch::NoGradGuard noGrad;
  for (int k = 0; k <= pairs; ++k) {
    const auto t0 = Clock::now();
    torch::nn::utils::clip_grad_norm_(parameters, 3.0);
    state.optimizer->step();
    for (const auto& [student, teacher] : ema.pairs) teacher.mul_(ema.momentum).add_(student, 1.0 - ema.momentum);
    const auto t1 = Clock::now();
    const double norm = model::train::gradientNorm(parameters);
    model::train::fusedAdamWStep(*state.optimizer, std::min(1.0, 3.0 / (norm + 1e-6)), &ema);
    const auto t2 = Clock::now();
    if (k == 0) continue;  // warm-up
    before.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    after.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
    ratio.push_back(before.back() / after.back());
  }
  std::printf("update phase (clip + AdamW + EMA), %d alternating pairs: LibTorch per parameter %.1f ms, fused %.1f ms "
              "(medians); per pair %.2fx (median)\n",
              pairs, medianOf(before), medianOf(after), medianOf(ratio));
}

/// Meridian's fine-tuning step split the same way (forward, backward, AdamW).
inline std::vector<PhaseRow> fineTunePhases(const model::VitConfig& config, int batch, int steps, bool bf16,
                                            double forwardGflopPerImage) {
  FineTuneStep step(config, batch);
  std::vector<double> fwd, bwd, opt;
  for (int s = 0; s <= steps; ++s) {
    const auto t = step.runTimed(bf16);
    if (s == 0) continue;
    fwd.push_back(t.forwardMs);
    bwd.push_back(t.backwardMs);
    opt.push_back(t.optimizerMs);
  }
  return {{"forward", medianOf(fwd), batch * forwardGflopPerImage},
          {"backward", medianOf(bwd), 2.0 * batch * forwardGflopPerImage},
          {"AdamW", medianOf(opt), 0.0}};
}

}  // namespace meridian::bench
