#include "DinoStep.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <numeric>
#include <random>

#include "../ScopedSingleThreadBlas.hpp"
#include "../train/AutocastScope.hpp"
#include "../train/FusedAdamW.hpp"
#include "../train/KeepFreedMemory.hpp"
#include "../train/LearningRateSchedule.hpp"
#include "TeacherForward.hpp"
#include "meridian/model/Precision.hpp"

namespace meridian::model::ssl {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr std::uint64_t kPermutationStream = 0x9e47;
constexpr std::uint64_t kRehearsalStream = 0x4e4e;

std::int64_t defaulted(std::int64_t value, std::int64_t total, double fraction) {
  return value >= 0 ? value : static_cast<std::int64_t>(std::llround(total * fraction));
}

// Cosine from `start` (step 0) to `end` (last step).
double cosineRamp(double start, double end, std::int64_t step, std::int64_t total) {
  const double progress = total > 1 ? std::min(1.0, static_cast<double>(step) / static_cast<double>(total - 1)) : 1.0;
  return end + (start - end) * 0.5 * (1.0 + std::cos(kPi * progress));
}

std::vector<std::int64_t> epochPermutation(std::uint64_t seed, std::int64_t epoch, std::int64_t n) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(mixSeed(seed, kPermutationStream, static_cast<std::uint64_t>(epoch)));
  for (std::int64_t i = n - 1; i > 0; --i) {  // Fisher-Yates with our own uniform draw
    const auto j = static_cast<std::int64_t>(uniform01(rng) * static_cast<double>(i + 1));
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
  }
  return order;
}

}  // namespace

DinoSchedule scheduleAt(const DinoOptions& o, std::int64_t step, std::int64_t totalSteps) {
  DinoSchedule s;
  const auto warmup = std::min(defaulted(o.warmupSteps, totalSteps, 0.1), totalSteps - 1);
  s.learningRate =
      train::CosineWithWarmup(o.learningRate, std::max<std::int64_t>(0, warmup), totalSteps, o.minLearningRate)
          .at(step);
  s.weightDecay = cosineRamp(o.weightDecayStart, o.weightDecayEnd, step, totalSteps);
  s.momentum = cosineRamp(o.momentumStart, 1.0, step, totalSteps);
  const auto tempWarmup = defaulted(o.teacherTemperatureWarmupSteps, totalSteps, 0.3);
  s.teacherTemperature =
      step < tempWarmup ? o.teacherTemperatureStart + (o.teacherTemperature - o.teacherTemperatureStart) *
                                                          static_cast<double>(step) / static_cast<double>(tempWarmup)
                        : o.teacherTemperature;
  return s;
}

std::vector<std::int64_t> globalBatch(const DinoState& state, std::int64_t step) {
  const auto& o = state.options;
  const auto n = static_cast<std::int64_t>(state.images.size());
  const auto epoch = step / state.stepsPerEpoch;
  const auto inEpoch = step % state.stepsPerEpoch;
  const auto order = epochPermutation(o.seed, epoch, n);
  std::vector<std::int64_t> batch(static_cast<std::size_t>(o.batchSize));
  for (std::int64_t i = 0; i < o.batchSize; ++i)
    batch[static_cast<std::size_t>(i)] = order[static_cast<std::size_t>((inEpoch * o.batchSize + i) % n)];
  if (state.rehearsal && state.rehearsal->size() > 0) {
    std::mt19937_64 rng(mixSeed(o.seed, kRehearsalStream, static_cast<std::uint64_t>(step)));
    const auto replaced = static_cast<std::int64_t>(std::floor(o.rehearsalFraction * o.batchSize));
    for (std::int64_t i = 0; i < replaced; ++i) {  // the last slots: the permutation's images stay in front
      const auto k = static_cast<std::int64_t>(uniform01(rng) * static_cast<double>(state.rehearsal->size()));
      batch[static_cast<std::size_t>(o.batchSize - 1 - i)] = -1 - k;
    }
  }
  return batch;
}

DinoStepResult dinoStep(DinoState& state) {
  train::keepFreedMemoryForTraining();
  const auto& o = state.options;
  DinoStepResult result;
  result.schedule = scheduleAt(o, state.step, state.totalSteps);
  const int world = state.group ? state.group->worldSize() : 1;
  const int rank = state.group ? state.group->rank() : 0;
  const auto batch = globalBatch(state, state.step);
  const std::int64_t perRank = o.batchSize / world;
  const std::int64_t first = rank * perRank;
  const int views = 2 + o.localCrops;
  auto lapStart = std::chrono::steady_clock::now();
  auto lap = [&lapStart](double& phase) {  // the time since the last lap, into `phase`
    const auto now = std::chrono::steady_clock::now();
    phase = std::chrono::duration<double, std::milli>(now - lapStart).count();
    lapStart = now;
  };
  auto& phases = result.phases;

  // Views of this rank's samples; each sample's draws depend on (seed, step, global slot) only,
  // so the worker thread can make the next step's while this one computes.
  if (!state.prefetcher) state.prefetcher = std::make_unique<ViewPrefetcher>();
  auto byView = state.prefetcher->take(state, state.step, batch, first, perRank);
  // MERIDIAN_DINO_SYNC_VIEWS=1 makes every step's views in the step (bench_dino compares).
  const auto next = state.step + 1;
  const char* sync = std::getenv("MERIDIAN_DINO_SYNC_VIEWS");
  const bool prefetch = sync == nullptr || std::string(sync) != "1";
  if (prefetch && next < state.totalSteps && (o.stopAfterSteps <= 0 || next < o.stopAfterSteps))
    state.prefetcher->start(state, next, globalBatch(state, next), first, perRank);
  const auto globals = at::cat({at::stack(byView[0]), at::stack(byView[1])});
  std::vector<at::Tensor> locals;
  for (int v = 2; v < views; ++v) locals.push_back(at::stack(byView[static_cast<std::size_t>(v)]));
  lap(phases.views);

  // The backbones' forward passes in bf16 where the CPU has it (as fine-tuning); the heads in
  // fp32: their outputs are cosines in [-1, 1] divided by a temperature of 0.04, which turns
  // bf16's rounding of a logit (up to 2^-9 near 0.25) into differences the softmax sees, and
  // the heads are a small part of the work. Features are fp32 for the centre and memory bank.
  const bool bf16 = o.bf16 != 0 && bf16Support().available;
  // In bf16 the backbones' products run on oneDNN; what reaches OpenBLAS is the heads' small
  // fp32 products, faster on this thread alone (ScopedSingleThreadBlas.hpp). In fp32 the
  // backbones' products are OpenBLAS's and keep its threads.
  const ScopedSingleThreadBlas blasOnThisThread(bf16);
  // The teacher on the inference engine, outside the autocast scope (TeacherForward.hpp).
  at::Tensor teacherFeatures = teacherForward(*state.teacher, globals, bf16), studentFeatures, localFeatures;
  lap(phases.teacher);
  {
    train::AutocastScope autocast(bf16);
    studentFeatures = state.student->forward(globals).features;
    lap(phases.studentGlobal);
    if (o.localCrops > 0) localFeatures = state.student->forward(at::cat(locals)).features;
    lap(phases.studentLocal);
  }
  // .to(kFloat) is the same tensor when it already is fp32: the fp32 path is unchanged.
  teacherFeatures = teacherFeatures.to(at::kFloat);
  studentFeatures = studentFeatures.to(at::kFloat);
  at::Tensor teacherOut, globalOut, localOut;
  {
    torch::NoGradGuard noGrad;
    teacherOut = state.teacherHead->forward(teacherFeatures);
  }
  if (studentFeatures.size(0) > 0) globalOut = state.studentHead->forward(studentFeatures);
  if (localFeatures.defined()) localOut = state.studentHead->forward(localFeatures.to(at::kFloat));
  std::vector<at::Tensor> studentViews;
  if (globalOut.defined()) studentViews = globalOut.chunk(2);
  if (localOut.defined())
    for (auto& chunk : localOut.chunk(o.localCrops)) studentViews.push_back(chunk);
  const auto dinoLoss = state.loss->forward(studentViews, teacherOut.chunk(2), result.schedule.teacherTemperature);
  // Every teacher view pairs with the same number of student views, so the mean cross-entropy
  // is the mean target entropy plus the mean KL (taken before the centre moves).
  result.diagnostics.targetEntropy = state.loss->targetEntropy(teacherOut, result.schedule.teacherTemperature);
  result.diagnostics.centerNorm = state.loss->center().norm().item<double>();
  result.diagnostics.teacherSpread =
      (teacherFeatures / teacherFeatures.norm(2, {1}, /*keepdim=*/true).clamp_min(1e-6)).std(0).mean().item<double>();
  at::Tensor total = dinoLoss;
  at::Tensor memoryLoss;
  if (state.memory) {
    memoryLoss = state.memory->consistencyLoss(studentFeatures, teacherFeatures, o.memoryStudentTemperature,
                                               o.memoryTeacherTemperature);
    if (memoryLoss.defined()) total = total + o.memoryWeight * memoryLoss;
  }

  // Loss values averaged over ranks first, so every rank takes the same stop decision.
  auto values = at::stack({total.detach(), dinoLoss.detach(),
                           memoryLoss.defined() ? memoryLoss.detach() : at::zeros({}, at::kFloat)})
                    .to(at::kDouble);
  if (state.group) {
    state.group->allReduceSum({values});
    values.div_(world);
  }
  result.loss = values[0].item<double>();
  result.dinoLoss = values[1].item<double>();
  result.diagnostics.klDivergence = result.dinoLoss - result.diagnostics.targetEntropy;
  result.memoryLoss = values[2].item<double>();
  result.finite = std::isfinite(result.loss);
  lap(phases.heads);
  if (!result.finite) return result;

  train::dropGradients(*state.optimizer);
  total.backward();
  lap(phases.backward);
  std::vector<at::Tensor> parameters;
  for (const auto& [name, p] : state.studentParameters) parameters.push_back(p);
  if (state.group) state.group->averageGradients(parameters);
  // The clipping, AdamW and the teacher's EMA in one pass over the parameters (FusedAdamW.hpp:
  // as clip_grad_norm_, optimizer.step() and teacher.mul_(m).add_(student, 1 - m) did them one
  // parameter at a time, 8 of 42 s of a loaded step).
  const double norm = train::gradientNorm(parameters);
  result.diagnostics.gradientNorm = norm;
  const double clip = o.clipGradient > 0 ? std::min(1.0, o.clipGradient / (norm + 1e-6)) : 1.0;
  if (state.step < (o.freezeLastLayerSteps >= 0 ? o.freezeLastLayerSteps : state.stepsPerEpoch))
    state.studentHead->prototypes.mutable_grad().reset();  // AdamW skips it: no update, no decay
  train::applyLearningRate(*state.optimizer, state.groups, result.schedule.learningRate);
  auto& groups = state.optimizer->param_groups();
  for (std::size_t g = 0; g < groups.size(); ++g)
    static_cast<torch::optim::AdamWOptions&>(groups[g].options())
        .weight_decay(state.groupDecays[g] ? result.schedule.weightDecay : 0.0);
  train::EmaFollow ema;
  ema.momentum = result.schedule.momentum;
  for (std::size_t i = 0; i < state.teacherParameters.size(); ++i)
    ema.pairs.emplace_back(state.studentParameters[i].second, state.teacherParameters[i].second);
  {
    torch::NoGradGuard noGrad;
    train::fusedAdamWStep(*state.optimizer, clip, &ema);
  }
  lap(phases.update);

  // Centre over the whole batch; memory bank and rehearsal in global slot order, so every
  // rank (and a single process on the union batch) holds the same bank and buffer.
  auto teacherSum = teacherOut.sum(0);
  if (state.group) state.group->allReduceSum({teacherSum});
  state.loss->updateCenter(teacherSum, 2 * static_cast<std::int64_t>(o.batchSize));
  if (state.memory) {
    auto all = at::zeros({o.batchSize, teacherFeatures.size(1)}, at::kFloat);
    all.slice(0, first, first + perRank).copy_(teacherFeatures.slice(0, 0, perRank));  // global view 1
    if (state.group) state.group->allReduceSum({all});
    state.memory->enqueue(all);
  }
  if (state.rehearsal) {
    std::mt19937_64 rng(mixSeed(o.seed, kRehearsalStream + 1, static_cast<std::uint64_t>(state.step)));
    for (const auto index : batch)
      if (index >= 0)
        state.rehearsal->offer(state.images[static_cast<std::size_t>(index)],
                               state.colour[static_cast<std::size_t>(index)], rng);
  }
  ++state.step;
  lap(phases.rest);
  return result;
}

}  // namespace meridian::model::ssl
