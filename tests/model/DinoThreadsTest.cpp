// The DINO run's thread policy lives in DinoPretrainer (not in the CLI), so the command line,
// the window's project training and the evaluation suite compute alike: what run() is on
// while it steps is read from inside a step (the progress callback runs on run()'s thread),
// and the process's own setting is back afterwards.
#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <thread>

#include "PretrainTestImages.hpp"
#include "meridian/model/Pretrainer.hpp"
#include "meridian/model/Runtime.hpp"

namespace meridian::model::test {
namespace {

/// The intra-op threads in force during a one-step run of `config` with `threads` asked, the
/// process's setting being `processThreads`; and that setting after it.
struct Observed {
  int resolved = -1;  // DinoPretrainer::threads()
  int during = -1;    // intraOpThreads() inside the step
  int team = -1;      // LibTorch's team size on run()'s thread inside the step
  int after = -1;
};

VitConfig vitT16(int imageSize) {
  auto config = VitConfig::preset("vit_t_16", 0).value();
  config.imageSize = imageSize;
  return config;
}

/// The tests' tiny ViT (patch 8) at `imageSize` px: quick where the size alone matters.
VitConfig tiny(int imageSize) {
  auto config = tinyVit();
  config.imageSize = imageSize;
  return config;
}

Observed runOneStep(const VitConfig& config, int threads, int processThreads) {
  setIntraOpThreads(processThreads);
  auto backbone = VitModel::create(config, 3).value();
  DinoOptions options = tinyDino();
  options.batchSize = 2;
  options.localCrops = 1;
  options.epochs = 1;
  options.stopAfterSteps = 1;
  options.localCropSize = 0;  // 3/7 of the global size
  auto trainer = DinoPretrainer::create(*backbone, options, realTiles(2));
  EXPECT_TRUE(trainer) << trainer.error().describe();
  Observed seen;
  if (!trainer) return seen;
  trainer.value()->setThreads(threads);
  seen.resolved = trainer.value()->threads();
  core::JobControl job([&seen](const core::JobProgress&) {
    seen.during = intraOpThreads();
    seen.team = at::get_num_threads();
  });
  auto summary = trainer.value()->run(job, {}, {});
  EXPECT_TRUE(summary) << summary.error().describe();
  seen.after = intraOpThreads();
  setIntraOpThreads(0);
  return seen;
}

TEST(DinoThreads, SmallViewsRunOnOneThreadWhateverTheCallerSet) {
  // 112 px / 16 = 7 x 7 = 49 patches per global view: the one-thread policy (issue 19), as
  // the bundled model's recipe; the caller (a window that leaves one core to its UI, or the
  // command line's one per core) had 2.
  const auto seen = runOneStep(vitT16(112), -1, 2);
  EXPECT_EQ(seen.resolved, 1);
  EXPECT_EQ(seen.during, 1);
  EXPECT_EQ(seen.team, 1);
  EXPECT_EQ(seen.after, 2) << "the process's setting is put back when the run returns";
}

TEST(DinoThreads, LargerViewsKeepTheProcessSettingAndAnExplicitCountWins) {
  // 72 px at patch 8: 81 patches, above the policy's 64: the caller's setting stands.
  const auto automatic = runOneStep(tiny(72), -1, 2);
  EXPECT_EQ(automatic.resolved, 2);
  EXPECT_EQ(automatic.during, 2);
  // An explicit count, small views or not (pretrain --threads N); 0 = one per core.
  const auto asked = runOneStep(tiny(32), 2, 1);
  EXPECT_EQ(asked.during, 2);
  EXPECT_EQ(asked.team, 2);
  EXPECT_EQ(asked.after, 1);
  const auto perCore = runOneStep(tiny(32), 0, 1);
  EXPECT_EQ(perCore.during, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

}  // namespace
}  // namespace meridian::model::test
