#include "collector/windows/minute_stats.h"

#include <gtest/gtest.h>

#include "tests/collector/windows/test_minutes.h"

namespace linkmon::windows {
namespace {

using namespace std::chrono_literals;
using testing::Epoch2026;
using testing::SummaryAt;

TEST(MinuteStartTest, FloorsToTheMinuteAndKeepsExactBoundaries) {
  const SystemTime t = Epoch2026();
  EXPECT_EQ(MinuteStart(t), t);
  EXPECT_EQ(MinuteStart(t + 59s + 999ms), t);
  EXPECT_EQ(MinuteStart(t + 60s), t + 1min);
  EXPECT_EQ(MinuteStart(t - 1ns), t - 1min);
}

TEST(MinuteStatsTest, KeepsCountsRttAndJitterOfASummary) {
  auto summary = SummaryAt(Epoch2026(), 12ms, 9, 1);
  summary.rfc3550_jitter = 300us;
  const MinuteStats stats = MinuteStats::FromSummary(summary);
  EXPECT_EQ(stats.counts.sent, 10u);
  EXPECT_EQ(stats.rtt.Count(), 9u);
  EXPECT_EQ(stats.rfc3550_jitter, 300us);
  EXPECT_FALSE(stats.throughput);
  EXPECT_TRUE(stats.HasData());
  EXPECT_FALSE(MinuteStats{}.HasData());
  EXPECT_TRUE(MinuteStats::FromThroughput(Bandwidth{1000}).HasData());
}

TEST(MinuteStatsTest, MergeAddsCountsTakesHighestJitterAndLowestThroughput) {
  auto a = MinuteStats::FromSummary(SummaryAt(Epoch2026(), 10ms, 5, 1));
  a.rfc3550_jitter = 100us;
  a.throughput = Bandwidth{80'000'000};
  auto b = MinuteStats::FromSummary(SummaryAt(Epoch2026() + 10s, 20ms, 4, 0));
  b.rfc3550_jitter = 400us;
  b.throughput = Bandwidth{60'000'000};
  ASSERT_TRUE(a.Merge(b));
  EXPECT_EQ(a.counts.sent, 10u);
  EXPECT_EQ(a.counts.received, 9u);
  EXPECT_EQ(a.counts.lost, 1u);
  EXPECT_EQ(a.rtt.Count(), 9u);
  EXPECT_EQ(a.rtt.Max(), 20ms);
  EXPECT_EQ(a.rfc3550_jitter, 400us);
  EXPECT_EQ(a.throughput, Bandwidth{60'000'000});
}

}  // namespace
}  // namespace linkmon::windows
