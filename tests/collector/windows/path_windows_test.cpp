#include "collector/windows/path_windows.h"

#include <gtest/gtest.h>

#include "tests/collector/windows/test_minutes.h"

namespace linkmon::windows {
namespace {

using namespace std::chrono_literals;
using testing::Epoch2026;
using testing::SummaryAt;

const std::vector<std::chrono::nanoseconds> kWindows = {1min, 5min, 1h};

MinuteStats Minute(std::chrono::nanoseconds rtt, std::uint64_t received, std::uint64_t lost = 0) {
  return MinuteStats::FromSummary(SummaryAt(Epoch2026(), rtt, received, lost));
}

TEST(PathWindowsTest, ValidatesWindowLengths) {
  EXPECT_TRUE(PathWindows::ValidateWindows(kWindows));
  auto odd = PathWindows::ValidateWindows(std::vector<std::chrono::nanoseconds>{90s});
  ASSERT_FALSE(odd);
  EXPECT_EQ(odd.error().message,
            "windows: 90s is not a whole number of minutes (windows are built from minutes)")
      << odd.error().message;
  EXPECT_FALSE(PathWindows::ValidateWindows(std::vector<std::chrono::nanoseconds>{0s}));
  EXPECT_FALSE(PathWindows::ValidateWindows(std::vector<std::chrono::nanoseconds>{}));
  auto twice = PathWindows::ValidateWindows(std::vector<std::chrono::nanoseconds>{5min, 5min});
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("listed twice"), std::string::npos);
}

TEST(PathWindowsTest, EachWindowCoversExactlyItsMinutesEndingWithTheLastOne) {
  PathWindows windows(kWindows);
  const SystemTime t0 = Epoch2026();
  // Minute i has 10 replies of (i + 1) ms: 1 ms at 00:00 ... 6 ms at 00:05.
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(windows.Add(t0 + i * 1min, Minute((i + 1) * 1ms, 10)));
  }
  const auto stats = windows.Compute(t0 + 5min);
  ASSERT_EQ(stats.size(), 3u);
  // 1 min: only 00:05.
  EXPECT_EQ(stats[0].window, 1min);
  EXPECT_EQ(stats[0].minutes_with_data, 1);
  EXPECT_EQ(stats[0].counts.received, 10u);
  EXPECT_EQ(stats[0].rtt_p50, 6ms);
  // 5 min: 00:01 .. 00:05 (2..6 ms), not 00:00 (1 ms).
  EXPECT_EQ(stats[1].minutes_with_data, 5);
  EXPECT_EQ(stats[1].counts.received, 50u);
  ASSERT_TRUE(stats[1].rtt_p50);
  EXPECT_NEAR(std::chrono::duration<double>(*stats[1].rtt_p50).count(), 0.004, 0.004 / 128);
  // 1 h: all six minutes; p99 of 60 samples is rank 60, the 6 ms.
  EXPECT_EQ(stats[2].minutes_with_data, 6);
  EXPECT_EQ(stats[2].counts.received, 60u);
  ASSERT_TRUE(stats[2].rtt_p99);
  EXPECT_NEAR(std::chrono::duration<double>(*stats[2].rtt_p99).count(), 0.006, 0.006 / 128);
  // Ending one minute earlier moves every window back by a minute.
  const auto earlier = windows.Compute(t0 + 4min);
  EXPECT_EQ(earlier[0].rtt_p50, 5ms);
  EXPECT_EQ(earlier[1].counts.received, 50u);  // 00:00 .. 00:04
}

TEST(PathWindowsTest, GapsLeaveWindowsWithFewerMinutesAndEmptyWindowsWithoutFigures) {
  PathWindows windows(kWindows);
  const SystemTime t0 = Epoch2026();
  ASSERT_TRUE(windows.Add(t0, Minute(3ms, 10)));
  ASSERT_TRUE(windows.Add(t0 + 3min, Minute(3ms, 10)));
  const auto stats = windows.Compute(t0 + 4min);
  EXPECT_FALSE(stats[0].HasData());
  EXPECT_FALSE(stats[0].rtt_p50);
  EXPECT_FALSE(stats[0].loss);
  EXPECT_EQ(stats[1].minutes_with_data, 2);
  EXPECT_TRUE(windows.AnyDataBetween(t0 + 1min, t0 + 3min));
  EXPECT_FALSE(windows.AnyDataBetween(t0 + 1min, t0 + 2min));
  EXPECT_EQ(windows.NextDataMinute(t0), t0 + 3min);
  EXPECT_FALSE(windows.NextDataMinute(t0 + 3min));
}

TEST(PathWindowsTest, LateDataMergesIntoItsMinute) {
  PathWindows windows(kWindows);
  const SystemTime t0 = Epoch2026();
  ASSERT_TRUE(windows.Add(t0, Minute(2ms, 10)));
  ASSERT_TRUE(windows.Add(t0 + 1min, Minute(2ms, 10)));
  ASSERT_TRUE(windows.Add(t0, Minute(2ms, 5, 5)));  // a retried upload for 00:00
  const auto stats = windows.Compute(t0);
  EXPECT_EQ(stats[0].counts.sent, 20u);
  EXPECT_EQ(stats[0].counts.lost, 5u);
}

TEST(PathWindowsTest, TrimDropsMinutesNoLaterWindowReaches) {
  PathWindows windows(kWindows);
  const SystemTime t0 = Epoch2026();
  ASSERT_TRUE(windows.Add(t0, Minute(2ms, 10)));
  ASSERT_TRUE(windows.Add(t0 + 1min, Minute(2ms, 10)));
  ASSERT_TRUE(windows.Add(t0 + 60min, Minute(2ms, 10)));
  // The 1 h window ending 01:00 starts at 00:01: 00:00 is out of it.
  EXPECT_EQ(windows.Compute(t0 + 60min)[2].counts.received, 20u);
  windows.Trim(t0 + 60min);
  EXPECT_EQ(windows.minutes().size(), 2u);
  windows.Trim(t0 + 61min);  // the 1 h window ending 01:01 starts at 00:02
  EXPECT_EQ(windows.minutes().size(), 1u);
  EXPECT_NE(windows.Find(t0 + 60min), nullptr);
}

TEST(WindowStatsTest, LossCountsLateAsLostAndLeavesOutUntracked) {
  MinuteStats minute = Minute(5ms, 90, 6);
  minute.counts.late = 4;
  minute.counts.untracked = 50;
  minute.counts.sent += 54;
  const WindowStats stats = SummarizeWindow(1min, 1, minute);
  ASSERT_TRUE(stats.loss);
  EXPECT_DOUBLE_EQ(stats.loss->value, 10.0 / 100.0);  // (6 lost + 4 late) / (90 + 4 + 6)
}

TEST(WindowStatsTest, AllLostGivesFullLossAndNoRtt) {
  const WindowStats stats = SummarizeWindow(1min, 1, Minute(5ms, 0, 10));
  ASSERT_TRUE(stats.loss);
  EXPECT_DOUBLE_EQ(stats.loss->value, 1.0);
  EXPECT_FALSE(stats.rtt_p99);
}

TEST(WindowStatsTest, NamesWindowsAsConfigWritesThem) {
  EXPECT_EQ(WindowName(1min), "1m");
  EXPECT_EQ(WindowName(5min), "5m");
  EXPECT_EQ(WindowName(1h), "1h");
  EXPECT_EQ(WindowName(90min), "90m");
  EXPECT_EQ(WindowName(2h), "2h");
}

}  // namespace
}  // namespace linkmon::windows
