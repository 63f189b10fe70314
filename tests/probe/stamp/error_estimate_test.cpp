#include "probe/stamp/error_estimate.h"

#include <gtest/gtest.h>

namespace linkmon::stamp {
namespace {

using std::chrono::nanoseconds;

TEST(ErrorEstimateTest, PacksSZScaleAndMultiplier) {
  ErrorEstimate estimate{.synchronized = true, .scale = 10, .multiplier = 5};
  EXPECT_EQ(estimate.ToWire(), 0x8a05);
  ErrorEstimate ptp{.format = TimestampFormat::kPtp, .scale = 63, .multiplier = 255};
  EXPECT_EQ(ptp.ToWire(), 0x7fff);
}

TEST(ErrorEstimateTest, EveryWireValueRoundTrips) {
  for (std::uint32_t bits = 0; bits <= 0xffff; ++bits) {
    ASSERT_EQ(ErrorEstimate::FromWire(static_cast<std::uint16_t>(bits)).ToWire(), bits);
  }
}

TEST(ErrorEstimateTest, ErrorIsMultiplierTimesTwoToScaleMinus32Seconds) {
  // 1 * 2^(32-32) s = 1 s.
  EXPECT_EQ((ErrorEstimate{.scale = 32, .multiplier = 1}).Error(), nanoseconds(1'000'000'000));
  // 3 * 2^-2 s = 750 ms.
  EXPECT_EQ((ErrorEstimate{.scale = 30, .multiplier = 3}).Error(), nanoseconds(750'000'000));
  // The smallest, 2^-32 s, rounds up to 1 ns.
  EXPECT_EQ((ErrorEstimate{.scale = 0, .multiplier = 1}).Error(), nanoseconds(1));
  EXPECT_EQ((ErrorEstimate{.scale = 63, .multiplier = 255}).Error(), nanoseconds::max());
  EXPECT_EQ((ErrorEstimate{.scale = 5, .multiplier = 0}).Error(), std::nullopt);
}

TEST(ErrorEstimateTest, ForErrorPicksTheSmallestEstimateCoveringTheError) {
  // 1 ms = 4294967.296 units of 2^-32 s; scale 15 gives ceil(131.07) = 132.
  ErrorEstimate ms = ErrorEstimate::ForError(std::chrono::milliseconds(1), true);
  EXPECT_TRUE(ms.synchronized);
  EXPECT_EQ(ms.scale, 15);
  EXPECT_EQ(ms.multiplier, 132);
  EXPECT_GE(*ms.Error(), std::chrono::milliseconds(1));
  EXPECT_LT(*ms.Error(), std::chrono::microseconds(1010));
  EXPECT_EQ(ErrorEstimate::ForError(nanoseconds(0), false),
            (ErrorEstimate{.synchronized = false, .scale = 0, .multiplier = 1}));
  // 2^63 ns = 9.2e9 s: scale 58, multiplier ceil(137.4) = 138.
  EXPECT_EQ(ErrorEstimate::ForError(nanoseconds::max(), false).ToWire(), 0x3a8a);
}

}  // namespace
}  // namespace linkmon::stamp
