#include "probe/probers/kernel_time.h"

#include <gtest/gtest.h>

namespace linkmon::probers {
namespace {

using namespace std::chrono_literals;

// A clock whose process is preempted for `pause` right after its first monotonic reading: the
// wall clock and every later reading are that much later.
class PreemptedClock final : public Clock {
 public:
  PreemptedClock(const FakeClock& base, std::chrono::nanoseconds pause)
      : base_(base), pause_(pause) {}
  MonotonicTime MonotonicNow() const override {
    return base_.MonotonicNow() + (readings_++ == 0 ? 0ns : pause_);
  }
  SystemTime SystemNow() const override {
    return base_.SystemNow() + std::chrono::duration_cast<SystemTime::duration>(pause_);
  }

 private:
  const FakeClock& base_;
  std::chrono::nanoseconds pause_;
  mutable int readings_ = 0;
};

TEST(KernelTimeTest, MapsAKernelTimeOntoTheMonotonicClock) {
  FakeClock clock;
  const SystemTime packet = clock.SystemNow() - 30us;
  EXPECT_EQ(KernelTimeToMonotonic(packet, clock), clock.MonotonicNow() - 30us);
  // From the future (a wall-clock step): now.
  EXPECT_EQ(KernelTimeToMonotonic(clock.SystemNow() + 1s, clock), clock.MonotonicNow());
}

TEST(KernelTimeTest, APreemptionBetweenTheReadingsDoesNotAgeThePacket) {
  FakeClock base;
  // The packet arrived 30 us ago; 500 us pass between the first two readings.
  const SystemTime packet = base.SystemNow() - 30us;
  PreemptedClock clock(base, 500us);
  const MonotonicTime arrival = KernelTimeToMonotonic(packet, clock);
  // Read naively (monotonic, then wall) the packet would look 530 us old at base + 0: 500 us too
  // early, older than a probe sent 100 us ago. The bracket sees the pause and reads again.
  EXPECT_EQ(arrival, base.MonotonicNow() - 30us);
}

}  // namespace
}  // namespace linkmon::probers
