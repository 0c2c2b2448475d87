// DINO must not collapse (issue 19): a 65-step ViT-T run on brain MRI patches ended with the
// loss at ln K, the targets uniform and the teacher's features drawing together, because the
// learning rate was 6x DINO's batch rule and the teacher temperature warmed up to 0.07 inside
// the run. On real image tiles, with the defaults, the teacher's features keep their spread
// across the batch and the loss's learnable part (KL, the loss minus the target entropy) falls;
// the old recipe on the same tiles and crops loses its spread, so the check can see a collapse.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <numeric>

#include "PretrainTestImages.hpp"
#include "Vit.hpp"
#include "ssl/DinoState.hpp"
#include "ssl/DinoStep.hpp"

namespace meridian::model {
namespace {

struct Trace {
  std::vector<double> spread, kl, entropy;
};

// The model: ViT-T/16 at 48 px (9 patches), 1024 prototypes.
VitConfig vitTiny48() {
  auto config = VitConfig::preset("vit_t_16", 0).value();
  config.imageSize = 48;
  return config;
}

Trace train(const DinoOptions& options, const std::vector<core::Image2D>& images) {
  const VitConfig config = vitTiny48();
  torch::manual_seed(5);
  Vit init(config);
  init->initializeWeights();
  std::map<std::string, at::Tensor> weights;
  for (const auto& p : init->named_parameters(true)) weights[p.key()] = p.value().detach().clone();
  auto built = ssl::buildDinoState(config, PreprocessConfig{}, weights, options, images);
  EXPECT_TRUE(built.ok()) << built.error().describe();
  Trace trace;
  if (!built.ok()) return trace;
  auto& state = *built.value();
  while (state.step < state.totalSteps) {
    const auto result = ssl::dinoStep(state);
    EXPECT_TRUE(result.finite);
    if (!result.finite) break;
    trace.spread.push_back(result.diagnostics.teacherSpread);
    trace.kl.push_back(result.diagnostics.klDivergence);
    trace.entropy.push_back(result.diagnostics.targetEntropy);
  }
  return trace;
}

double meanOf(const std::vector<double>& v, std::size_t from, std::size_t to) {
  return std::accumulate(v.begin() + static_cast<std::ptrdiff_t>(from), v.begin() + static_cast<std::ptrdiff_t>(to), 0.0) /
         static_cast<double>(to - from);
}

TEST(DinoCollapse, TargetsStaySharpAndTeacherFeaturesKeepTheirSpread) {
  // One intra-op thread, as the command line picks for views this small (and fast here).
  const int threads = at::get_num_threads();
  at::set_num_threads(1);
  const auto images = test::realTiles(48);
  DinoOptions options;  // learning rate, temperatures, freezing: the defaults
  options.localCrops = 2;
  options.prototypes = 1024;
  options.batchSize = 16;
  options.epochs = 14;  // 3 steps per epoch: 42 steps
  options.seed = 3;
  const auto fixed = train(options, images);

  DinoOptions old = options;  // what issue 19's run used
  old.learningRate = 2e-4;
  old.teacherTemperature = 0.07;
  old.freezeLastLayerSteps = 0;
  const auto collapsing = train(old, images);
  at::set_num_threads(threads);

  ASSERT_EQ(fixed.spread.size(), 42u);
  ASSERT_EQ(collapsing.spread.size(), 42u);
  const double lnK = std::log(1024.0);
  const double start = meanOf(fixed.spread, 0, 3), end = meanOf(fixed.spread, 37, 42);
  const double oldEnd = meanOf(collapsing.spread, 37, 42);
  const double entropy = meanOf(fixed.entropy, 37, 42), oldEntropy = meanOf(collapsing.entropy, 37, 42);
  const double klFirst = meanOf(fixed.kl, 0, 5), klLast = meanOf(fixed.kl, 37, 42);
  std::cout << "teacher spread: start " << start << ", end " << end << " (old recipe " << oldEnd
            << "); target entropy at the end " << entropy / lnK << " ln K (old recipe " << oldEntropy / lnK
            << " ln K); KL " << klFirst << " -> " << klLast << "\n";
  EXPECT_LT(entropy, 0.9 * lnK) << "the targets went uniform: the loss sits at ln K";
  EXPECT_GT(end, 0.8 * start) << "the teacher's features drew together: a collapsing representation";
  EXPECT_LT(klLast, klFirst) << "the student did not learn to predict the teacher";
  // The same check on the old recipe fails, so it can see the collapse it guards against.
  EXPECT_GT(oldEntropy, 0.9 * lnK) << "the old recipe kept sharp targets too: this check is blind";
}

}  // namespace
}  // namespace meridian::model
