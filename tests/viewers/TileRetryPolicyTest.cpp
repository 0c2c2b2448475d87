// The back-off policy for failed slide tiles: its waits and limits, on its own clock values
// (no sleeping, no window).

#include <gtest/gtest.h>

#include <chrono>

#include "meridian/viewers/TileRetryPolicy.hpp"

using namespace std::chrono_literals;
using meridian::viewers::TileKey;
using meridian::viewers::TileRetryPolicy;

TEST(SlideTileRetryPolicy, WaitsTwiceAsLongAfterEachFailureAndGivesUp) {
  TileRetryPolicy policy;  // the defaults people get: 2 s, 4 s, 8 s, then given up after 4 reads
  const auto t0 = TileRetryPolicy::Clock::now();
  const TileKey key{1, 3, 4}, other{1, 3, 5};
  EXPECT_TRUE(policy.mayRead(key, t0));
  EXPECT_FALSE(policy.nextRetry(t0).has_value());
  EXPECT_TRUE(policy.recordFailure(key, t0));
  EXPECT_EQ(policy.failedReads(key), 1);
  EXPECT_FALSE(policy.mayRead(key, t0 + 1999ms));
  EXPECT_TRUE(policy.mayRead(key, t0 + 2000ms));
  EXPECT_TRUE(policy.mayRead(other, t0)) << "one tile's failure does not hold back the others";
  EXPECT_EQ(policy.nextRetry(t0), t0 + 2000ms);
  EXPECT_TRUE(policy.recordFailure(key, t0 + 2000ms));
  EXPECT_FALSE(policy.mayRead(key, t0 + 5999ms));
  EXPECT_TRUE(policy.mayRead(key, t0 + 6000ms));
  EXPECT_TRUE(policy.recordFailure(key, t0 + 6000ms));
  EXPECT_TRUE(policy.mayRead(key, t0 + 14000ms));
  EXPECT_FALSE(policy.recordFailure(key, t0 + 14000ms)) << "the fourth failed read is the last";
  EXPECT_TRUE(policy.gaveUp(key));
  EXPECT_FALSE(policy.mayRead(key, t0 + 10h));
  EXPECT_FALSE(policy.nextRetry(t0 + 14000ms).has_value()) << "nothing waits for a tile given up";
  // A success heals a tile; opening the slide again forgets everything.
  EXPECT_TRUE(policy.recordFailure(other, t0));
  EXPECT_TRUE(policy.recordSuccess(other));
  EXPECT_FALSE(policy.recordSuccess(other));
  EXPECT_TRUE(policy.mayRead(other, t0));
  policy.clear();
  EXPECT_TRUE(policy.mayRead(key, t0));
  EXPECT_EQ(policy.size(), 0u);
}
