// The memory module: FIFO order, and a consistency term that is zero when the student
// relates to the bank as the teacher does and grows when it drifts.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "ssl/MemoryBank.hpp"
#include "ssl/RehearsalBuffer.hpp"

namespace meridian::model::ssl {
namespace {

TEST(MemoryBank, IsAFifoOfNormalisedRows) {
  MemoryBank bank(3, 2);
  EXPECT_FALSE(bank.consistencyLoss(torch::ones({1, 2}), torch::ones({1, 2}), 0.1, 0.1).defined());
  bank.enqueue(torch::tensor({{3.0f, 4.0f}, {0.0f, 2.0f}}));
  EXPECT_EQ(bank.filled(), 2);
  EXPECT_NEAR(bank.entries()[0][0].item<float>(), 0.6f, 1e-6);
  bank.enqueue(torch::tensor({{1.0f, 0.0f}, {-1.0f, 0.0f}}));  // the 4th row overwrites the oldest
  EXPECT_EQ(bank.filled(), 3);
  EXPECT_EQ(bank.cursor(), 1);
  EXPECT_NEAR(bank.entries()[0][0].item<float>(), -1.0f, 1e-6);
  EXPECT_NEAR(bank.entries()[1][1].item<float>(), 1.0f, 1e-6);
}

TEST(MemoryBank, ConsistencyIsZeroForAgreementAndGrowsWithDrift) {
  torch::manual_seed(5);
  MemoryBank bank(16, 8);
  bank.enqueue(torch::randn({16, 8}));
  const auto teacher = torch::randn({4, 8});
  EXPECT_NEAR(bank.consistencyLoss(teacher, teacher, 0.1, 0.1).item<double>(), 0.0, 1e-6);
  const double small = bank.consistencyLoss(teacher + 0.1 * torch::randn({4, 8}), teacher, 0.1, 0.1).item<double>();
  const double large = bank.consistencyLoss(torch::randn({4, 8}), teacher, 0.1, 0.1).item<double>();
  EXPECT_GT(small, 0.0);
  EXPECT_GT(large, small);
  // The gradient reaches the student only.
  auto student = teacher.clone().requires_grad_(true);
  auto loss = bank.consistencyLoss(student + 0.3, teacher, 0.1, 0.05);
  loss.backward();
  EXPECT_GT(student.grad().abs().sum().item<double>(), 0.0);
}

TEST(RehearsalBuffer, KeepsAReservoirOfSeenImages) {
  RehearsalBuffer buffer(4);
  std::mt19937_64 rng(1);
  for (int i = 0; i < 100; ++i) buffer.offer(torch::full({3, 8, 8}, i, torch::kByte), i % 2 == 0, rng);
  EXPECT_EQ(buffer.size(), 4);
  EXPECT_EQ(buffer.seen(), 100);
  int late = 0;  // a reservoir is a uniform sample: not simply the first four images
  for (int i = 0; i < 4; ++i) late += buffer.image(i)[0][0][0].item<int>() >= 4;
  EXPECT_GT(late, 0);
  RehearsalBuffer restored(4);
  restored.restore(buffer.stackedImages(), buffer.colourFlags(), buffer.seen(), 16);  // working size changed
  EXPECT_EQ(restored.size(), 4);
  EXPECT_EQ(restored.image(0).sizes(), (std::vector<int64_t>{3, 16, 16}));
  EXPECT_EQ(restored.colour(2), buffer.colour(2));
}

}  // namespace
}  // namespace meridian::model::ssl
