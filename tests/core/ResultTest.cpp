#include <gtest/gtest.h>

#include "meridian/core/Result.hpp"

#include <string>
#include <type_traits>
#include <utility>
#include <vector>

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

// The value of a temporary Result is moved out, not referenced: a reference into the
// temporary would dangle once the statement ends (`for (auto& x : f().value())`).
static_assert(std::is_same_v<decltype(std::declval<Result<std::string>>().value()), std::string>,
              "value() on a temporary returns the value itself");
static_assert(std::is_same_v<decltype(std::declval<Result<std::string>&>().value()), std::string&>,
              "value() on a named Result still returns a reference into it");

namespace {

// Writes "destroyed" into a log the test owns when a live object dies (a moved-from one
// stays silent), so a value destroyed too early is seen without touching freed memory.
struct DeathRecorder {
  explicit DeathRecorder(std::vector<std::string>* log) : log(log) {}
  DeathRecorder(DeathRecorder&& other) noexcept : log(std::exchange(other.log, nullptr)) {}
  DeathRecorder& operator=(DeathRecorder&&) = delete;
  ~DeathRecorder() {
    if (log) log->push_back("destroyed");
  }
  std::vector<std::string>* log;
};

Result<DeathRecorder> makeRecorder(std::vector<std::string>* log) { return DeathRecorder(log); }
Result<std::vector<std::string>> makeWords() { return std::vector<std::string>{"alpha", std::string(100, 'b')}; }

}  // namespace

TEST(Result, ValueOfATemporaryLivesAsLongAsTheReferenceBoundToIt) {
  std::vector<std::string> log;
  {
    auto&& value = makeRecorder(&log).value();  // the temporary Result dies here
    log.push_back("used");
    // A reference into the temporary would have logged "destroyed" before "used" (and
    // reading it now would read freed memory: stop first).
    ASSERT_EQ(log, std::vector<std::string>{"used"}) << "the value died with the temporary Result";
    EXPECT_EQ(value.log, &log);
  }
  EXPECT_EQ(log, (std::vector<std::string>{"used", "destroyed"}));
}

TEST(Result, RangeForOverTheValueOfATemporaryReadsLiveElements) {
  std::string joined;
  for (const auto& word : makeWords().value()) joined += word + ",";  // under ASan: no use after free
  EXPECT_EQ(joined, "alpha," + std::string(100, 'b') + ",");
}

TEST(Result, ValueOfAFailedTemporaryThrows) {
  EXPECT_THROW((void)Result<std::string>(makeError(ErrorCode::NotFound, "gone")).value(), std::logic_error);
}
