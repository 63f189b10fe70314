#pragma once

// MinuteStats: what the collector keeps of one path's minute, the building block of its sliding
// windows. It holds only what windows and SLA judgement read (probe fates, the RTT histogram, the
// RFC 3550 jitter and throughput), not the IPDV or one-way histograms of an IntervalSummary, so
// that an hour of minutes for tens of thousands of paths stays small (the store keeps the rest).
//
// Merging is exact for counts and RTT (histograms merge bucket for bucket); jitter merges as the
// maximum (IntervalSummary explains why RFC 3550 jitter cannot merge exactly); throughput as the
// minimum achieved, the conservative figure for a minimum-bandwidth SLA.

#include <chrono>
#include <cstdint>
#include <optional>

#include "common/clock.h"
#include "common/histogram/log_histogram.h"
#include "common/result.h"
#include "common/stats/interval_summary.h"
#include "common/units.h"

namespace linkmon::windows {

inline constexpr std::chrono::minutes kMinute{1};

// The start of the wall-clock minute holding `time` (floor, also before 1970).
SystemTime MinuteStart(SystemTime time);

struct MinuteStats {
  stats::ProbeCounts counts;
  histogram::LogHistogram rtt;
  std::optional<std::chrono::nanoseconds> rfc3550_jitter;
  // Lowest throughput a bandwidth test achieved in the minute; nullopt without a test.
  std::optional<Bandwidth> throughput;

  static MinuteStats FromSummary(const stats::IntervalSummary& summary);
  static MinuteStats FromThroughput(Bandwidth achieved);

  // True when the minute holds any measurement: a probe sent or a bandwidth test.
  bool HasData() const { return counts.sent > 0 || throughput.has_value(); }

  // Adds `other`; refuses (kOutOfRange, unchanged) when the RTT count would overflow 64 bits.
  Status Merge(const MinuteStats& other);

  bool operator==(const MinuteStats&) const = default;
};

}  // namespace linkmon::windows
