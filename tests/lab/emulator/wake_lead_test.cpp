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
  for (int i = 0; i < 20'000; ++i) {
    const nanoseconds lateness(30'000 + static_cast<std::int64_t>(random.Uniform() * 40'000));
    lead.Observe(lateness - lead.lead());
  }
  EXPECT_NEAR(static_cast<double>(lead.lead().count()), 50'000.0, 3'000.0);
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
