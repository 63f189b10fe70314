#include <gtest/gtest.h>

#include "lab/emulator/random.h"
#include "lab/emulator/wake_lead.h"

namespace linkmon::lab {
namespace {

using std::chrono::microseconds;
using std::chrono::nanoseconds;

// A made-up machine whose timer wakes are late by 30..70 us (median 50 us): the lead settles near
// the median, so that releases are as often early as late.
TEST(WakeLeadTest, SettlesAtTheMedianLateness) {
  WakeLead lead;
  Random random(1);
  double sum_ns = 0;
  for (int i = 0; i < 20'000; ++i) {
    const nanoseconds lateness(30'000 + static_cast<std::int64_t>(random.Uniform() * 40'000));
    lead.Observe(lateness - lead.lead());
    // It keeps moving by a step or two around the median: judge its average once settled.
    if (i >= 10'000) sum_ns += static_cast<double>(lead.lead().count());
  }
  EXPECT_NEAR(sum_ns / 10'000, 50'000.0, 3'000.0);
}

TEST(WakeLeadTest, LearnsWithinTwentyWakeUps) {
  WakeLead lead;
  for (int i = 0; i < 20; ++i) lead.Observe(microseconds(60) - lead.lead());
  EXPECT_GT(lead.lead(), microseconds(45));
  EXPECT_LE(lead.lead(), microseconds(60));
}

TEST(WakeLeadTest, OneStallMovesItByOneStepOnly) {
  WakeLead lead;
  lead.Observe(std::chrono::milliseconds(20));
  EXPECT_EQ(lead.lead(), WakeLead::kMaxStep);
}

TEST(WakeLeadTest, BoundedSoAStallDoesNotTeachEarlyReleases) {
  WakeLead lead;
  for (int i = 0; i < 10'000; ++i) lead.Observe(std::chrono::milliseconds(5));
  EXPECT_EQ(lead.lead(), WakeLead::kMax);
  for (int i = 0; i < 10'000; ++i) lead.Observe(microseconds(-50));
  EXPECT_EQ(lead.lead(), nanoseconds(0));
}

}  // namespace
}  // namespace linkmon::lab
