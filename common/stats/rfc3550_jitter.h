#pragma once

// RFC 3550 interarrival jitter (section 6.4.1): a running estimate of the mean deviation of the
// transit-time difference D between consecutive packets in order of arrival,
//   J(i) = J(i-1) + (|D(i-1,i)| - J(i-1)) / 16,
// computed in integer nanoseconds as in the RFC's appendix A.8 (J kept scaled by 16, so the
// division by 16 loses nothing between updates). The 1/16 gain is the RFC's noise reduction: J
// follows the last ~16 packets, so it says how jittery the path is now, not over an interval.
// Not mergeable: see IntervalSummary for what a merged value means.

#include <chrono>
#include <cstdint>

namespace linkmon::stats {

class Rfc3550Jitter {
 public:
  // Feeds D, the difference between the transit times of this packet and the one that arrived
  // before it. Magnitudes above ~3 years are clamped (they cannot happen; they must not overflow).
  void Update(std::chrono::nanoseconds transit_difference);

  // The current J; 0 before the first update.
  std::chrono::nanoseconds Value() const;

 private:
  std::int64_t scaled_ = 0;  // 16 * J
};

}  // namespace linkmon::stats
