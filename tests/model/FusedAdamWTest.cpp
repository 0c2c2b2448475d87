// The fused AdamW step (model/src/train/FusedAdamW.hpp) against what it replaces:
// clip_grad_norm_, LibTorch's AdamW::step and teacher.mul_(m).add_(student, 1 - m), on
// parameters that span several blocks, two groups (decay and none), clipping that bites, and
// a parameter left without a gradient for a step (torch skips it: no decay, no step count).
#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <torch/torch.h>  // before clip_grad.h, which does not include what it uses
#include <torch/nn/utils/clip_grad.h>

#include "train/FusedAdamW.hpp"

namespace meridian::model::train {
namespace {

struct Run {
  std::vector<at::Tensor> params, teacher;
  std::unique_ptr<torch::optim::AdamW> optimizer;
};

Run makeRun() {
  torch::manual_seed(3);
  Run r;
  for (const auto size : {std::int64_t{70000}, std::int64_t{300}, std::int64_t{1}, std::int64_t{33000}}) {
    r.params.push_back(torch::randn({size}).requires_grad_(true));
    r.teacher.push_back(torch::randn({size}));
  }
  std::vector<torch::optim::OptimizerParamGroup> groups;
  auto decay = std::make_unique<torch::optim::AdamWOptions>(2e-3);
  decay->weight_decay(0.05);
  groups.emplace_back(std::vector<at::Tensor>{r.params[0], r.params[1]}, std::move(decay));
  auto none = std::make_unique<torch::optim::AdamWOptions>(5e-3);
  none->weight_decay(0.0).betas({0.8, 0.99}).eps(1e-6);
  groups.emplace_back(std::vector<at::Tensor>{r.params[2], r.params[3]}, std::move(none));
  r.optimizer = std::make_unique<torch::optim::AdamW>(std::move(groups));
  return r;
}

void setGradients(Run& r, int step) {
  torch::manual_seed(100 + step);
  for (std::size_t i = 0; i < r.params.size(); ++i) {
    auto g = torch::randn(r.params[i].sizes()) * (i == 0 ? 4.0 : 1.0);
    r.params[i].mutable_grad() = (step == 1 && i == 1) ? at::Tensor() : g;  // param 1 sits out step 1
  }
}

double maxDifference(const std::vector<at::Tensor>& a, const std::vector<at::Tensor>& b) {
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, (a[i] - b[i]).abs().max().item<double>());
  return worst;
}

TEST(FusedAdamW, MatchesClipAdamWAndEmaOfLibTorch) {
  auto reference = makeRun();
  auto fused = makeRun();
  const double maxNorm = 150.0;  // below the first gradients' norm (~ 4 * sqrt(70000) = 1058): clips
  const double momentum = 0.9;
  bool clipped = false;
  for (int step = 0; step < 4; ++step) {
    setGradients(reference, step);
    setGradients(fused, step);
    const double normReference = torch::nn::utils::clip_grad_norm_(reference.params, maxNorm);
    reference.optimizer->step();
    {
      torch::NoGradGuard noGrad;
      for (std::size_t i = 0; i < reference.params.size(); ++i)
        reference.teacher[i].mul_(momentum).add_(reference.params[i].detach(), 1.0 - momentum);
    }

    const double norm = gradientNorm(fused.params);
    EXPECT_NEAR(norm, normReference, 1e-5 * normReference) << "step " << step;
    const double scale = std::min(1.0, maxNorm / (norm + 1e-6));
    clipped = clipped || scale < 1.0;
    EmaFollow ema;
    ema.momentum = momentum;
    for (std::size_t i = 0; i < fused.params.size(); ++i) ema.pairs.emplace_back(fused.params[i], fused.teacher[i]);
    {
      torch::NoGradGuard noGrad;
      fusedAdamWStep(*fused.optimizer, scale, &ema);
    }
    // The same float operations in the same order: equal up to the clipping coefficient, which
    // torch computes in float from a float norm and the fused step in double.
    EXPECT_LT(maxDifference(fused.params, reference.params), 1e-6) << "step " << step;
    EXPECT_LT(maxDifference(fused.teacher, reference.teacher), 1e-6) << "step " << step;
  }
  EXPECT_TRUE(clipped) << "the clipping was never exercised";
  // Torch's per-parameter step counts (bias corrections) are kept, the skipped step included.
  auto& state = fused.optimizer->state();
  const auto key = c10::guts::to_string(fused.params[1].unsafeGetTensorImpl());
  ASSERT_TRUE(state.count(key));
  EXPECT_EQ(static_cast<torch::optim::AdamWParamState&>(*state.at(key)).step(), 3);
  const auto other = c10::guts::to_string(fused.params[0].unsafeGetTensorImpl());
  EXPECT_EQ(static_cast<torch::optim::AdamWParamState&>(*state.at(other)).step(), 4);
}

// The fine-tuning loop's step (adamWStep): fused where it can be, LibTorch's otherwise, the
// same parameters either way.
TEST(FusedAdamW, TheStepMovesTheVersionCountersOfWhatItWrites) {
  // Prepared copies of weights (the inference engine's) are kept while a tensor's version
  // stays: the raw-pointer pass must move the versions of the parameters it updated and of the
  // EMA's teachers, and leave a parameter without a gradient (not updated) alone.
  auto r = makeRun();
  setGradients(r, 0);
  r.params[1].mutable_grad().reset();
  std::vector<std::uint32_t> before, teacherBefore;
  for (const auto& p : r.params) before.push_back(p._version());
  for (const auto& t : r.teacher) teacherBefore.push_back(t._version());
  EmaFollow ema;
  ema.momentum = 0.9;
  for (std::size_t i = 0; i < r.params.size(); ++i) ema.pairs.emplace_back(r.params[i], r.teacher[i]);
  {
    torch::NoGradGuard noGrad;
    fusedAdamWStep(*r.optimizer, 1.0, &ema);
  }
  for (std::size_t i = 0; i < r.params.size(); ++i) {
    if (i == 1)
      EXPECT_EQ(r.params[i]._version(), before[i]);
    else
      EXPECT_GT(r.params[i]._version(), before[i]) << i;
    EXPECT_GT(r.teacher[i]._version(), teacherBefore[i]) << i;
  }
}

TEST(FusedAdamW, TheTrainingStepTakesTheFusedPathOnlyWhereItApplies) {
  auto reference = makeRun();
  auto trained = makeRun();
  EXPECT_TRUE(fusedAdamWApplies(*trained.optimizer));
  for (int step = 0; step < 3; ++step) {
    setGradients(reference, step);
    setGradients(trained, step);
    reference.optimizer->step();
    adamWStep(*trained.optimizer);
  }
  EXPECT_LT(maxDifference(reference.params, trained.params), 1e-6);

  // amsgrad, and a gradient that is not contiguous: LibTorch's step, not an exception.
  auto amsgrad = makeRun();
  static_cast<torch::optim::AdamWOptions&>(amsgrad.optimizer->param_groups()[0].options()).amsgrad(true);
  setGradients(amsgrad, 0);
  EXPECT_FALSE(fusedAdamWApplies(*amsgrad.optimizer));
  EXPECT_NO_THROW(adamWStep(*amsgrad.optimizer));
  auto strided = makeRun();
  setGradients(strided, 0);
  strided.params[1].mutable_grad() = torch::randn({300, 2}).select(1, 0);
  EXPECT_FALSE(fusedAdamWApplies(*strided.optimizer));
  EXPECT_NO_THROW(adamWStep(*strided.optimizer));
}

TEST(FusedAdamW, GradientNormIsTheSameOnOneThreadAndOnSeveral) {
  // A resumed run must clip exactly as the uninterrupted one, whichever thread count each had.
  auto r = makeRun();
  setGradients(r, 0);
  const int threads = at::get_num_threads();
  at::set_num_threads(1);
  const double one = gradientNorm(r.params);
  at::set_num_threads(4);
  const double four = gradientNorm(r.params);
  at::set_num_threads(threads);
  EXPECT_EQ(one, four);
}

TEST(FusedAdamW, DroppedGradientsAreUndefinedAndTheNextBackwardHandsItsOwn) {
  auto r = makeRun();
  setGradients(r, 0);
  dropGradients(*r.optimizer);
  for (const auto& p : r.params) EXPECT_FALSE(p.grad().defined());
  (r.params[0] * 3.0).sum().backward();
  EXPECT_TRUE(r.params[0].grad().equal(torch::full({70000}, 3.0)));
}

}  // namespace
}  // namespace meridian::model::train
