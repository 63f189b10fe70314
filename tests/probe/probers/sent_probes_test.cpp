#include "probe/probers/sent_probes.h"

#include <gtest/gtest.h>

namespace linkmon::probers {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

SentProbe At(int ms) {
  SentProbe probe;
  probe.monotonic = MonotonicTime(milliseconds(ms));
  probe.wall = SystemTime(milliseconds(ms));
  return probe;
}

TEST(SentProbesTest, FindsRememberedProbesBySequence) {
  SentProbes sent(4);
  sent.Add(10, 0, At(10));
  sent.Add(11, 1, At(11));
  ASSERT_TRUE(sent.Find(10).has_value());
  EXPECT_EQ(sent.Find(10)->monotonic, MonotonicTime(milliseconds(10)));
  EXPECT_EQ(sent.Find(11)->monotonic, MonotonicTime(milliseconds(11)));
  EXPECT_FALSE(sent.Find(12).has_value());  // not sent
  EXPECT_FALSE(sent.Find(14).has_value());  // same slot as 10, another sequence
}

// Empty slots are told apart by the sequence they hold (it maps to another slot), not by a flag:
// nothing is found in them, whatever sequence or transmit id is asked for.
TEST(SentProbesTest, AnEmptyRingFindsNothing) {
  for (std::size_t capacity : {1u, 2u, 4u, 7u}) {
    SentProbes sent(capacity);
    for (std::uint32_t sequence = 0; sequence < 16; ++sequence) {
      EXPECT_FALSE(sent.Find(sequence).has_value()) << capacity << " " << sequence;
      EXPECT_FALSE(sent.SetKernelTime(sequence, SystemTime(milliseconds(1)))) << capacity;
    }
    sent.Add(0, 0, At(1));  // one probe in: the other slots are still empty
    EXPECT_TRUE(sent.Find(0).has_value());
    EXPECT_FALSE(sent.Find(1).has_value()) << capacity;
    EXPECT_TRUE(sent.SetKernelTime(0, SystemTime(milliseconds(2))));
  }
}

TEST(SentProbesTest, ForgetsAProbeCapacityProbesLater) {
  SentProbes sent(4);
  for (std::uint32_t sequence = 0; sequence < 6; ++sequence) {
    sent.Add(sequence, sequence, At(static_cast<int>(sequence)));
  }
  EXPECT_FALSE(sent.Find(0).has_value());
  EXPECT_FALSE(sent.Find(1).has_value());
  for (std::uint32_t sequence = 2; sequence < 6; ++sequence) {
    EXPECT_TRUE(sent.Find(sequence).has_value()) << sequence;
  }
}

TEST(SentProbesTest, SequencesWrapAt32Bits) {
  SentProbes sent(16);
  sent.Add(0xffff'ffffU, 0, At(1));
  sent.Add(0, 1, At(2));
  ASSERT_TRUE(sent.Find(0xffff'ffffU).has_value());
  ASSERT_TRUE(sent.Find(0).has_value());
  EXPECT_EQ(sent.Find(0)->monotonic, MonotonicTime(milliseconds(2)));
}

TEST(SentProbesTest, AttachesATransmitStampOnceByTransmitId) {
  SentProbes sent(4);
  sent.Add(7, 100, At(7));
  sent.Add(8, 101, At(8));
  sent.Add(9, 102, At(9));
  const SystemTime stamp(milliseconds(42));
  EXPECT_TRUE(sent.SetKernelTime(100, stamp));  // an older one than the newest
  ASSERT_TRUE(sent.Find(7)->kernel.has_value());
  EXPECT_EQ(*sent.Find(7)->kernel, stamp);
  EXPECT_FALSE(sent.Find(8)->kernel.has_value());
  EXPECT_FALSE(sent.SetKernelTime(100, SystemTime(milliseconds(43))));  // already stamped
  EXPECT_EQ(*sent.Find(7)->kernel, stamp);
  EXPECT_FALSE(sent.SetKernelTime(99, stamp));  // never sent
  for (std::uint32_t sequence = 10; sequence < 14; ++sequence) sent.Add(sequence, sequence, At(1));
  EXPECT_FALSE(sent.SetKernelTime(102, stamp));  // forgotten
}

TEST(SentProbesTest, ANewProbeInAStampedSlotStartsWithoutAStamp) {
  SentProbes sent(4);
  sent.Add(3, 0, At(3));
  EXPECT_TRUE(sent.SetKernelTime(0, SystemTime(milliseconds(5))));
  EXPECT_EQ(*sent.Find(3)->kernel, SystemTime(milliseconds(5)));
  sent.Add(7, 1, At(7));  // slot 3 again
  EXPECT_FALSE(sent.Find(7)->kernel.has_value());
}

TEST(RememberedProbesForTest, CoversTheLateHorizonWithinBounds) {
  // 1 s interval, 1 s timeout: the horizon (3 s, at most 4 s) holds 5 probes; two spare.
  EXPECT_EQ(RememberedProbesFor(seconds(1), seconds(1)), 7u);
  // 10 s interval: at least 4.
  EXPECT_EQ(RememberedProbesFor(seconds(10), seconds(1)), 4u);
  // 10 ms interval, 10 ms timeout: 1.03 s holds 104 probes.
  EXPECT_EQ(RememberedProbesFor(milliseconds(10), milliseconds(10)), 106u);
  // 1 ms interval, 1 ms timeout: 1.003 s holds 1,004 probes.
  EXPECT_EQ(RememberedProbesFor(milliseconds(1), milliseconds(1)), 1006u);
  EXPECT_EQ(RememberedProbesFor(std::chrono::microseconds(100), std::chrono::microseconds(100)),
            4096u);
  EXPECT_EQ(RememberedProbesFor(std::chrono::nanoseconds(0), seconds(1)), 4096u);
}

}  // namespace
}  // namespace linkmon::probers
