// Where the model runs: the device choice (refused with the reason where the GPU is not
// there), and a batch that runs out of memory finished in smaller chunks. The out-of-
// memory errors here are LibTorch's own: a real allocation too large for any machine.
// On a GPU machine (a CUDA LibTorch) the last test compares the GPU with the CPU.

#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <cmath>
#include <utility>
#include <vector>

#include "BatchBackoff.hpp"
#include "RandomInput.hpp"
#include "meridian/model/Runtime.hpp"
#include "meridian/model/VitModel.hpp"

using namespace meridian;
using namespace meridian::model;

namespace {

VitConfig smallConfig() {
  VitConfig c;
  c.imageSize = 64;
  c.patchSize = 16;
  c.embedDim = 64;
  c.depth = 2;
  c.heads = 4;
  c.numClasses = 3;
  return c;
}

// Allocates rows x 2^46 floats (256 TiB per row): no machine has that, so LibTorch's CPU
// allocator throws its real out-of-memory error for any count above `fits`.
void allocateLikeAForward(std::int64_t count, std::int64_t fits) {
  if (count > fits) (void)at::empty({count, std::int64_t(1) << 46}, at::kFloat);
}

}  // namespace

TEST(BatchBackoff, ARealOutOfMemoryErrorHalvesTheChunkAndNoRowIsLostOrRepeated) {
  try {
    allocateLikeAForward(2, 1);
    FAIL() << "an impossible allocation succeeded";
  } catch (const std::exception& e) {
    EXPECT_TRUE(isOutOfMemory(e)) << "LibTorch's own error is not recognised: " << e.what();
  }
  std::vector<std::pair<std::int64_t, std::int64_t>> done;
  const auto outcome = runWithBatchBackoff(10, [&](std::int64_t start, std::int64_t count) {
    allocateLikeAForward(count, 3);
    done.emplace_back(start, count);
  });
  EXPECT_EQ(outcome.chunk, 2);  // 10 and 5 failed
  EXPECT_TRUE(outcome.backedOff);
  std::int64_t next = 0;
  for (const auto& [start, count] : done) {
    EXPECT_EQ(start, next);
    EXPECT_LE(count, 3);
    next = start + count;
  }
  EXPECT_EQ(next, 10);
}

// bf16 inference on the CPU starts from a chunk of many images (VitModel.cpp's cpuChunk):
// one image under it is a whole batch, not a back-off (it was logged as "did not fit").
TEST(BatchBackoff, ABatchSmallerThanTheFirstChunkRunsWholeWithoutBackingOff) {
  std::vector<std::int64_t> counts;
  const auto outcome = runWithBatchBackoff(
      3, [&](std::int64_t, std::int64_t count) { counts.push_back(count); }, /*firstChunk=*/16);
  EXPECT_EQ(counts, std::vector<std::int64_t>{3});
  EXPECT_EQ(outcome.chunk, 3);
  EXPECT_FALSE(outcome.backedOff);
  const auto chunked = runWithBatchBackoff(
      40, [&](std::int64_t, std::int64_t count) { counts.push_back(count); }, /*firstChunk=*/16);
  EXPECT_EQ(counts, (std::vector<std::int64_t>{3, 16, 16, 8}));
  EXPECT_FALSE(chunked.backedOff);
}

TEST(BatchBackoff, OtherErrorsAndASingleRowThatDoesNotFitAreNotRetried) {
  int calls = 0;
  EXPECT_THROW(runWithBatchBackoff(8,
                                   [&](std::int64_t, std::int64_t) {
                                     ++calls;
                                     throw std::runtime_error("shape mismatch");
                                   }),
               std::runtime_error);
  EXPECT_EQ(calls, 1);
  calls = 0;
  EXPECT_ANY_THROW(runWithBatchBackoff(4, [&](std::int64_t, std::int64_t count) {
    ++calls;
    allocateLikeAForward(count, 0);
  }));
  EXPECT_EQ(calls, 3);  // 4, 2, 1 rows
}

TEST(VitModelDevice, CpuIsTheDefaultAndMissingGpusAreRefusedWithTheReason) {
  auto model = VitModel::create(smallConfig(), 3).value();
  EXPECT_EQ(model->device(), "cpu");
  EXPECT_TRUE(model->setDevice("cpu").ok());
  const auto bad = model->setDevice("gpu7");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("not a device name"), std::string::npos) << bad.error().message;
  const auto before = model->predict(test::randomInput(2, 64, 5)).value();

  const RuntimeInfo runtime = initializeRuntime();
  if (!runtime.cudaAvailable) {
    const auto cuda = model->setDevice("cuda");
    ASSERT_FALSE(cuda.ok());
    EXPECT_NE(cuda.error().message.find("no CUDA"), std::string::npos) << cuda.error().message;
  } else {
    const auto absent = model->setDevice("cuda:" + std::to_string(runtime.cudaDeviceCount));
    ASSERT_FALSE(absent.ok());
    EXPECT_NE(absent.error().message.find("GPUs"), std::string::npos) << absent.error().message;
  }
  EXPECT_EQ(model->device(), "cpu") << "a refused device leaves the model where it was";
  const auto after = model->predict(test::randomInput(2, 64, 5)).value();
  EXPECT_EQ(after[0].logits, before[0].logits);
}

TEST(VitModelDevice, GpuPredictionsMatchTheCpu) {
  if (!initializeRuntime().cudaAvailable) GTEST_SKIP() << "no CUDA in this LibTorch (CPU-only build): nothing to compare";
  auto model = VitModel::create(smallConfig(), 3).value();
  const auto input = test::randomInput(6, 64, 9);
  const auto cpu = model->predict(input).value();
  ASSERT_TRUE(model->setDevice("cuda").ok());
  EXPECT_EQ(model->device(), "cuda:0");
  const auto gpu = model->predict(input).value();
  for (std::size_t i = 0; i < cpu.size(); ++i)
    for (std::size_t j = 0; j < cpu[i].logits.size(); ++j)
      EXPECT_NEAR(gpu[i].logits[j], cpu[i].logits[j], 1e-3 + 1e-3 * std::abs(cpu[i].logits[j]));
  EXPECT_EQ(model->setPrecision(Precision::BFloat16).active, Precision::BFloat16);
  const auto bf16 = model->predict(input).value();
  for (std::size_t i = 0; i < cpu.size(); ++i)
    for (std::size_t j = 0; j < cpu[i].probabilities.size(); ++j)
      EXPECT_NEAR(bf16[i].probabilities[j], cpu[i].probabilities[j], 0.05);
  auto maps = model->explain(input, ExplainMethod::GradientAttention);
  ASSERT_TRUE(maps.ok()) << maps.error().describe();
  ASSERT_TRUE(model->setDevice("cpu").ok());
  EXPECT_EQ(model->predict(input).value()[0].logits.size(), cpu[0].logits.size());
}
