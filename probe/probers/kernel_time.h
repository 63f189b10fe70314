#pragma once

// Kernel timestamps are wall-clock (CLOCK_REALTIME) readings; the IntervalRecorder orders events
// on the monotonic clock. This maps a recent kernel timestamp onto the monotonic clock by reading
// both clocks now: exact unless the wall clock is stepped between the packet and this call.

#include "common/clock.h"

namespace linkmon::probers {

inline MonotonicTime KernelTimeToMonotonic(SystemTime kernel, const Clock& clock) {
  MonotonicTime monotonic_now = clock.MonotonicNow();
  SystemTime wall_now = clock.SystemNow();
  auto age = wall_now - kernel;
  // A kernel time "in the future" can only come from a wall-clock step; treat it as now.
  if (age < SystemTime::duration::zero()) age = SystemTime::duration::zero();
  return monotonic_now - std::chrono::duration_cast<MonotonicTime::duration>(age);
}

}  // namespace linkmon::probers
