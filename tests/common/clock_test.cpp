#include "common/clock.h"

#include <gtest/gtest.h>

namespace linkmon {
namespace {

using namespace std::chrono_literals;

TEST(FakeClockTest, MovesOnlyWhenTold) {
  FakeClock clock;
  const MonotonicTime monotonic = clock.MonotonicNow();
  const SystemTime system = clock.SystemNow();
  EXPECT_EQ(clock.MonotonicNow(), monotonic);
  clock.Advance(1500ms);
  EXPECT_EQ(clock.MonotonicNow() - monotonic, 1500ms);
  EXPECT_EQ(clock.SystemNow() - system, 1500ms);
  clock.Advance(1ns);
  EXPECT_EQ(clock.MonotonicNow() - monotonic, 1500ms + 1ns);
}

TEST(FakeClockTest, StartsAtAFixedDateAndStepsTheWallClockAlone) {
  FakeClock clock;
  // 2026-01-01T00:00:00Z
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(clock.SystemNow().time_since_epoch())
                .count(),
            1'767'225'600);
  const MonotonicTime monotonic = clock.MonotonicNow();
  clock.SetSystemTime(clock.SystemNow() - 1h);  // NTP steps the wall clock back
  EXPECT_EQ(clock.MonotonicNow(), monotonic);
}

TEST(RealClockTest, MonotonicTimeNeverGoesBack) {
  const RealClock clock;
  MonotonicTime previous = clock.MonotonicNow();
  for (int i = 0; i < 1000; ++i) {
    const MonotonicTime now = clock.MonotonicNow();
    ASSERT_GE(now, previous);
    previous = now;
  }
  // The wall clock is after 2020: the machine's clock, not a zero.
  EXPECT_GT(clock.SystemNow().time_since_epoch(), std::chrono::hours(24 * 365 * 50));
}

}  // namespace
}  // namespace linkmon
