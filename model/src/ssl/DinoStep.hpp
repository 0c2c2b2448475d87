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

struct DinoStepResult {
  double loss = 0;  // total, averaged over ranks
  double dinoLoss = 0;
  double memoryLoss = 0;  // 0 while the bank is empty or off
  bool finite = true;     // false: nothing was updated
  DinoSchedule schedule;
};

/// The image indices (into state.images, or -1 - k for rehearsal entry k) of the global
/// batch of `step`: an epoch-wise permutation seeded by (seed, epoch), with a fraction of
/// the slots taken by the rehearsal buffer once it holds images.
std::vector<std::int64_t> globalBatch(const DinoState& state, std::int64_t step);

/// Runs the step `state.step` and advances it. A non-finite loss (on any rank) leaves
/// weights, optimiser, centre, memory and step untouched.
DinoStepResult dinoStep(DinoState& state);

}  // namespace meridian::model::ssl
