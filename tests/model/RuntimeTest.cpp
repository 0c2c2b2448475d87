#include <gtest/gtest.h>

#include "meridian/model/Runtime.hpp"

using namespace meridian::model;

TEST(Runtime, ReportsTorchVersionAndThreads) {
  const RuntimeInfo info = initializeRuntime();
  EXPECT_FALSE(info.torchVersion.empty());
  EXPECT_GE(info.intraOpThreads, 1);
  if (!info.cudaAvailable) {
    EXPECT_EQ(info.cudaDeviceCount, 0);
  }
}

TEST(Runtime, MatmulIsCorrect) {
  auto check = checkMatmul(128);
  ASSERT_TRUE(check.ok()) << check.error().describe();
  EXPECT_EQ(check.value().size, 128);
  EXPECT_LT(check.value().maxRelativeError, 1e-4);
  EXPECT_GT(check.value().gflops, 0.0);
}

TEST(Runtime, RejectsSillyMatrixSizes) {
  EXPECT_FALSE(checkMatmul(2).ok());
  EXPECT_FALSE(checkMatmul(100000).ok());
}
