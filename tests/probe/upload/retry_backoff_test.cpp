#include "probe/upload/retry_backoff.h"

#include <gtest/gtest.h>

namespace linkmon::upload {
namespace {

using namespace std::chrono_literals;

TEST(RetryBackoffTest, BoundDoublesUpToTheCap) {
  RetryBackoff backoff({.initial = 100ms, .cap = 1s, .floor = 0ms}, 1);
  const std::chrono::nanoseconds expected[] = {100ms, 200ms, 400ms, 800ms, 1s, 1s, 1s};
  for (auto bound : expected) {
    EXPECT_EQ(backoff.NextBound(), bound);
    const auto delay = backoff.NextDelay();
    EXPECT_GE(delay, 0ms);
    EXPECT_LE(delay, bound);
  }
  EXPECT_EQ(backoff.failures(), 7);
  backoff.Reset();
  EXPECT_EQ(backoff.NextBound(), 100ms);
}

TEST(RetryBackoffTest, FullJitterSpreadsOverTheWholeWindow) {
  // Many probes losing the same collector must not come back together: the draws cover the
  // window from the floor to the bound, not a narrow band near it.
  RetryBackoff backoff({.initial = 1s, .cap = 1s, .floor = 10ms}, 7);
  std::chrono::nanoseconds low = 1s;
  std::chrono::nanoseconds high = 0s;
  for (int i = 0; i < 2000; ++i) {
    const auto delay = backoff.NextDelay();
    ASSERT_GE(delay, 10ms);
    ASSERT_LE(delay, 1s);
    low = std::min(low, delay);
    high = std::max(high, delay);
  }
  EXPECT_LT(low, 50ms);
  EXPECT_GT(high, 950ms);
}

TEST(RetryBackoffTest, ManyFailuresNeverOverflow) {
  RetryBackoff backoff({.initial = 1ms, .cap = 5min, .floor = 1ms}, 3);
  for (int i = 0; i < 10'000; ++i) {
    const auto delay = backoff.NextDelay();
    ASSERT_GE(delay, 1ms);
    ASSERT_LE(delay, 5min);
  }
  EXPECT_EQ(backoff.NextBound(), 5min);
}

TEST(RetryBackoffTest, SameSeedSameDelays) {
  RetryBackoff a({}, 99);
  RetryBackoff b({}, 99);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(a.NextDelay(), b.NextDelay());
}

}  // namespace
}  // namespace linkmon::upload
