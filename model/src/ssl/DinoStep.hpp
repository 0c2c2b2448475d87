#pragma once
// One DINO optimiser step on one global batch (this rank's share of it when distributed),
// and the schedules that set its learning rate, weight decay, teacher momentum and
// teacher temperature from the step number.

#include <cstdint>
#include <vector>

#include "DinoState.hpp"

namespace meridian::model::ssl {

struct DinoSchedule {
  double learningRate = 0;
  double weightDecay = 0;
  double momentum = 0;
  double teacherTemperature = 0;
};

DinoSchedule scheduleAt(const DinoOptions& options, std::int64_t step, std::int64_t totalSteps);

/// What tells a learning run from a collapsing one (logged per step): DINO's loss is
/// H(target) + KL(target || student), and either collapse shows in these before the probe.
struct DinoDiagnostics {
  double targetEntropy = 0;   // nats; ln K = uniform targets (centring won over sharpening)
  double klDivergence = 0;    // the loss's learnable part: dinoLoss - targetEntropy
  double teacherSpread = 0;   // std over the batch of the teacher's L2-normalised features,
                              // mean over dims: 0 = one constant representation, ~1/sqrt(D) spread out
  double centerNorm = 0;
  double gradientNorm = 0;    // the student's, before clipping
};

/// Wall time of a step's phases in ms, in the order they run (bench_dino --phases prints
/// their medians beside the FLOP of each, to find the phase that is slow per FLOP).
struct DinoPhaseTimes {
  double views = 0;          // the views taken from the worker (or made here) and stacked
  double teacher = 0;        // the teacher backbone's forward on the global views
  double studentGlobal = 0;  // the student backbone's forward on the global views
  double studentLocal = 0;   // ... on the local views
  double heads = 0;          // both projection heads, the loss, its diagnostics and values
  double backward = 0;
  double update = 0;         // gradient norm, clipping, AdamW and the teacher's EMA
  double rest = 0;           // centre, memory bank, rehearsal buffer
};

struct DinoStepResult {
  double loss = 0;  // total, averaged over ranks
  double dinoLoss = 0;
  double memoryLoss = 0;  // 0 while the bank is empty or off
  bool finite = true;     // false: nothing was updated
  DinoSchedule schedule;
  DinoDiagnostics diagnostics;
  DinoPhaseTimes phases;
};

/// The image indices (into state.images, or -1 - k for rehearsal entry k) of the global
/// batch of `step`: an epoch-wise permutation seeded by (seed, epoch), with a fraction of
/// the slots taken by the rehearsal buffer once it holds images.
std::vector<std::int64_t> globalBatch(const DinoState& state, std::int64_t step);

/// Runs the step `state.step` and advances it. A non-finite loss (on any rank) leaves
/// weights, optimiser, centre, memory and step untouched.
DinoStepResult dinoStep(DinoState& state);

}  // namespace meridian::model::ssl
