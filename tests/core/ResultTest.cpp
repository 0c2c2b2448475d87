#include <gtest/gtest.h>

#include "meridian/core/Result.hpp"

using namespace meridian::core;

TEST(Result, HoldsValueOrError) {
  Result<int> good = 42;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good.value(), 42);
  EXPECT_THROW((void)good.error(), std::logic_error);

  Result<int> bad = makeError(ErrorCode::Corrupt, "header says 10 slices, file has 3");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::Corrupt);
  EXPECT_EQ(bad.error().describe(), "corrupt: header says 10 slices, file has 3");
  EXPECT_THROW((void)bad.value(), std::logic_error);
}

TEST(Result, MovesOutTheValue) {
  Result<std::string> r = std::string(1000, 'x');
  std::string s = std::move(r).value();
  EXPECT_EQ(s.size(), 1000u);
}
