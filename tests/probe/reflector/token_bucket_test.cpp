#include "probe/reflector/token_bucket.h"

#include <gtest/gtest.h>

namespace linkmon::reflector {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

TEST(TokenBucketTest, AllowsTheBurstThenTheRate) {
  steady_clock::time_point t0{std::chrono::hours(1)};
  TokenBucket bucket(RateLimit{.packets_per_second = 10, .burst = 3}, t0);
  EXPECT_TRUE(bucket.TryTake(t0));
  EXPECT_TRUE(bucket.TryTake(t0));
  EXPECT_TRUE(bucket.TryTake(t0));
  EXPECT_FALSE(bucket.TryTake(t0));
  // 10 packets/s: one token per 100 ms.
  EXPECT_FALSE(bucket.TryTake(t0 + milliseconds(99)));
  EXPECT_TRUE(bucket.TryTake(t0 + milliseconds(100)));
  EXPECT_FALSE(bucket.TryTake(t0 + milliseconds(150)));
  EXPECT_TRUE(bucket.TryTake(t0 + milliseconds(200)));
}

TEST(TokenBucketTest, NeverHoldsMoreThanTheBurst) {
  steady_clock::time_point t0{std::chrono::hours(1)};
  TokenBucket bucket(RateLimit{.packets_per_second = 1000, .burst = 2}, t0);
  steady_clock::time_point later = t0 + std::chrono::hours(1);
  EXPECT_TRUE(bucket.TryTake(later));
  EXPECT_TRUE(bucket.TryTake(later));
  EXPECT_FALSE(bucket.TryTake(later));
}

TEST(TokenBucketTest, LongRunPassesRateTimesDurationPlusBurst) {
  steady_clock::time_point t0{std::chrono::hours(1)};
  TokenBucket bucket(RateLimit{.packets_per_second = 100, .burst = 5}, t0);
  int passed = 0;
  // 10 s of offered load at 1,000 packets/s (every 1 ms).
  for (int i = 0; i < 10'000; ++i) {
    if (bucket.TryTake(t0 + milliseconds(i))) ++passed;
  }
  // 5 at once, then 100/s over the 9.999 s that follow.
  EXPECT_GE(passed, 5 + 999);
  EXPECT_LE(passed, 5 + 1000);
}

TEST(TokenBucketTest, TimeGoingBackwardsAddsNothing) {
  steady_clock::time_point t0{std::chrono::hours(1)};
  TokenBucket bucket(RateLimit{.packets_per_second = 10, .burst = 1}, t0);
  EXPECT_TRUE(bucket.TryTake(t0));
  EXPECT_FALSE(bucket.TryTake(t0 - std::chrono::seconds(5)));
  EXPECT_FALSE(bucket.TryTake(t0 + milliseconds(50)));
}

}  // namespace
}  // namespace linkmon::reflector
