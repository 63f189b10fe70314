#include <algorithm>
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "lab/emulator/direction_model.h"

namespace linkmon::lab {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

const MonotonicTime kStart = MonotonicTime(std::chrono::seconds(1000));

LinkProperties Delay(nanoseconds delay) {
  LinkProperties properties;
  properties.delay = delay;
  return properties;
}

TEST(DirectionModelTest, FixedDelayAddsExactly) {
  DirectionModel model(Delay(milliseconds(6)), 1);
  for (int i = 0; i < 100; ++i) {
    const MonotonicTime arrival = kStart + microseconds(50 * i);
    const PacketFate fate = model.Decide(arrival);
    ASSERT_FALSE(fate.lost);
    EXPECT_EQ(fate.release - arrival, milliseconds(6));
    EXPECT_FALSE(fate.reordered);
    EXPECT_FALSE(fate.duplicated);
  }
}

TEST(DirectionModelTest, JitterKeepsOrderUnlessReorderingIsAsked) {
  LinkProperties properties = Delay(milliseconds(10));
  properties.jitter = milliseconds(2);  // far more than the 50 us between packets
  DirectionModel model(properties, 7);
  MonotonicTime previous{};
  nanoseconds min_delay = nanoseconds::max(), max_delay{0};
  for (int i = 0; i < 10'000; ++i) {
    const MonotonicTime arrival = kStart + microseconds(50 * i);
    const PacketFate fate = model.Decide(arrival);
    EXPECT_GE(fate.release, previous) << "packet " << i << " overtook the one before it";
    previous = fate.release;
    min_delay = std::min(min_delay, fate.release - arrival);
    max_delay = std::max(max_delay, fate.release - arrival);
  }
  // Waiting for the packet ahead never pushes a packet past the largest delay a sample can give.
  EXPECT_GE(min_delay, milliseconds(8));
  EXPECT_LE(max_delay, milliseconds(12));
  EXPECT_GE(max_delay, milliseconds(11));
}

TEST(DirectionModelTest, UniformJitterWithSparsePacketsKeepsTheMeanAndBounds) {
  LinkProperties properties = Delay(milliseconds(6));
  properties.jitter = microseconds(200);
  DirectionModel model(properties, 3);
  double sum_us = 0;
  constexpr int kPackets = 20'000;
  for (int i = 0; i < kPackets; ++i) {
    const MonotonicTime arrival = kStart + milliseconds(i);  // 1 ms apart: order never binds
    const nanoseconds delay = model.Decide(arrival).release - arrival;
    ASSERT_GE(delay, microseconds(5800));
    ASSERT_LE(delay, microseconds(6200));
    sum_us += static_cast<double>(delay.count()) / 1000.0;
  }
  // U(-200, 200) us has a standard deviation of 115 us; 5 standard errors of the mean.
  EXPECT_NEAR(sum_us / kPackets, 6000.0, 5 * 115.0 / std::sqrt(kPackets));
}

TEST(DirectionModelTest, ReorderedPacketsAreHeldBackByTheGap) {
  LinkProperties properties = Delay(milliseconds(5));
  properties.reorder = Ratio{0.1};
  properties.reorder_gap = milliseconds(1);
  DirectionModel model(properties, 5);
  int reordered = 0;
  constexpr int kPackets = 10'000;
  for (int i = 0; i < kPackets; ++i) {
    const MonotonicTime arrival = kStart + microseconds(100 * i);
    const PacketFate fate = model.Decide(arrival);
    if (fate.reordered) {
      ++reordered;
      EXPECT_EQ(fate.release - arrival, milliseconds(6));
    } else {
      EXPECT_EQ(fate.release - arrival, milliseconds(5));
    }
  }
  EXPECT_NEAR(reordered, 1000, 5 * 30);  // binomial sd sqrt(10000 * 0.1 * 0.9) = 30
}

TEST(DirectionModelTest, SameSeedSameFates) {
  LinkProperties properties = Delay(milliseconds(5));
  properties.jitter = microseconds(300);
  properties.loss = Ratio{0.05};
  properties.duplicate = Ratio{0.02};
  DirectionModel a(properties, 99), b(properties, 99);
  for (int i = 0; i < 1000; ++i) {
    const MonotonicTime arrival = kStart + microseconds(100 * i);
    const PacketFate x = a.Decide(arrival), y = b.Decide(arrival);
    ASSERT_EQ(x.lost, y.lost);
    ASSERT_EQ(x.release, y.release);
    ASSERT_EQ(x.duplicated, y.duplicated);
  }
}

TEST(DirectionModelTest, ShorterDelayDrainsInOrder) {
  DirectionModel model(Delay(milliseconds(50)), 1);
  const PacketFate before = model.Decide(kStart);
  model.SetProperties(Delay(milliseconds(5)));
  const PacketFate after = model.Decide(kStart + milliseconds(1));
  EXPECT_EQ(before.release, kStart + milliseconds(50));
  // It would leave at +6 ms, but may not pass the packet ahead of it.
  EXPECT_EQ(after.release, before.release);
  const PacketFate later = model.Decide(kStart + milliseconds(100));
  EXPECT_EQ(later.release, kStart + milliseconds(105));
}

TEST(DirectionModelTest, LossAndDuplicationRates) {
  LinkProperties properties = Delay(milliseconds(1));
  properties.loss = Ratio{0.01};
  properties.duplicate = Ratio{0.03};
  DirectionModel model(properties, 17);
  int lost = 0, duplicated = 0;
  constexpr int kPackets = 100'000;
  for (int i = 0; i < kPackets; ++i) {
    const PacketFate fate = model.Decide(kStart + microseconds(10 * i));
    lost += fate.lost;
    duplicated += fate.duplicated;
  }
  EXPECT_NEAR(lost, 1000, 5 * 31);        // sd sqrt(1e5 * 0.01 * 0.99) = 31
  EXPECT_NEAR(duplicated, 2970, 5 * 54);  // of the 99,000 delivered; sd 54
}

}  // namespace
}  // namespace linkmon::lab
