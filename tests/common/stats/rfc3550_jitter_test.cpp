#include "common/stats/rfc3550_jitter.h"

#include <limits>

#include <gtest/gtest.h>

namespace linkmon::stats {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

TEST(Rfc3550JitterTest, FollowsTheRfcRecurrence) {
  Rfc3550Jitter jitter;
  EXPECT_EQ(jitter.Value(), nanoseconds(0));
  // J += (|D| - J) / 16, worked by hand:
  //   D = +4 ms: J = 0 + (4 - 0) / 16          = 0.25 ms
  //   D = -3 ms: J = 0.25 + (3 - 0.25) / 16    = 0.421875 ms
  //   D =  0:    J = 0.421875 - 0.421875 / 16  = 0.3955078125 ms (395507.8 ns)
  //   D = +9 ms: J = 0.3955078125 + (9 - 0.3955078125) / 16 = 0.93328857421875 ms
  // The RFC's integer form keeps 16 * J, so the reported J is the floor of these.
  jitter.Update(milliseconds(4));
  EXPECT_EQ(jitter.Value(), nanoseconds(250'000));
  jitter.Update(milliseconds(-3));
  EXPECT_EQ(jitter.Value(), nanoseconds(421'875));
  jitter.Update(milliseconds(0));
  EXPECT_EQ(jitter.Value(), nanoseconds(395'507));
  jitter.Update(milliseconds(9));
  EXPECT_EQ(jitter.Value(), nanoseconds(933'288));
}

TEST(Rfc3550JitterTest, ConvergesToAConstantDeviation) {
  Rfc3550Jitter jitter;
  for (int i = 0; i < 500; ++i) jitter.Update(milliseconds(i % 2 == 0 ? 2 : -2));
  EXPECT_NEAR(static_cast<double>(jitter.Value().count()), 2e6, 2e6 * 0.001);
}

TEST(Rfc3550JitterTest, ExtremeDifferencesDoNotOverflow) {
  Rfc3550Jitter jitter;
  for (int i = 0; i < 100; ++i) {
    jitter.Update(nanoseconds(std::numeric_limits<std::int64_t>::min()));
    jitter.Update(nanoseconds(std::numeric_limits<std::int64_t>::max()));
  }
  EXPECT_GT(jitter.Value(), nanoseconds(0));
}

}  // namespace
}  // namespace linkmon::stats
