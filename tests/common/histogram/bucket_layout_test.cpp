#include "common/histogram/bucket_layout.h"

#include <cstdint>
#include <random>

#include <gtest/gtest.h>

namespace linkmon::histogram {
namespace {

// Every bucket, exhaustively: the buckets tile [1 µs, 60 s] without gap or overlap, every value in
// a bucket maps back to it, and the midpoint is within 1/128 (< 1 %) of both ends. The error of a
// value inside a bucket is at most the error at its ends, so this proves the bound for all values.
TEST(BucketLayoutTest, BucketsTileTheRangeWithinOnePercent) {
  std::int64_t expected_lower = kMinTrackedNs;
  double worst = 0.0;
  for (std::uint32_t index = 0; index < kBucketCount; ++index) {
    const std::int64_t lower = BucketLowerNs(index);
    const std::int64_t upper = BucketUpperNs(index);
    const std::int64_t mid = BucketMidpointNs(index);
    ASSERT_EQ(lower, expected_lower) << "gap or overlap before bucket " << index;
    ASSERT_LE(lower, mid);
    ASSERT_LE(mid, upper);
    ASSERT_EQ(BucketIndex(lower), index);
    ASSERT_EQ(BucketIndex(upper), index);
    const double error_at_lower = static_cast<double>(mid - lower) / static_cast<double>(lower);
    const double error_at_upper = static_cast<double>(upper - mid) / static_cast<double>(upper);
    worst = std::max({worst, error_at_lower, error_at_upper});
    expected_lower = upper + 1;
  }
  EXPECT_EQ(expected_lower, kMaxTrackedNs + 1);
  EXPECT_LE(worst, 1.0 / 128.0);
  EXPECT_GT(worst, 1.0 / 130.0) << "the bound is tight, not accidental";
}

TEST(BucketLayoutTest, RangeEdgesAndKnownBuckets) {
  EXPECT_FALSE(IsTracked(0));
  EXPECT_FALSE(IsTracked(-1));
  EXPECT_FALSE(IsTracked(999));
  EXPECT_TRUE(IsTracked(1'000));
  EXPECT_TRUE(IsTracked(60'000'000'000));
  EXPECT_FALSE(IsTracked(60'000'000'001));
  EXPECT_EQ(BucketIndex(1'000), 0u);
  EXPECT_EQ(BucketIndex(60'000'000'000), kBucketCount - 1);
  // 2 ms = 122 * 2^14 + 1152: octave [2^20, 2^21) has buckets of 2^14 ns, and 2 ms is in the 58th.
  EXPECT_EQ(BucketIndex(2'000'000), 701u);
  EXPECT_EQ(BucketLowerNs(701), 122 * 16'384);
  EXPECT_EQ(BucketUpperNs(701), 123 * 16'384 - 1);
}

TEST(BucketLayoutTest, RandomValuesLandInTheirBucket) {
  std::mt19937_64 rng(20261123);
  std::uniform_int_distribution<std::int64_t> value(kMinTrackedNs, kMaxTrackedNs);
  for (int i = 0; i < 100'000; ++i) {
    const std::int64_t ns = value(rng);
    const std::uint32_t index = BucketIndex(ns);
    ASSERT_LT(index, kBucketCount);
    ASSERT_LE(BucketLowerNs(index), ns);
    ASSERT_GE(BucketUpperNs(index), ns);
  }
}

}  // namespace
}  // namespace linkmon::histogram
