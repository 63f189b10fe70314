#pragma once

// Builders for the minutes and summaries that window, SLA and API tests feed in.

#include <chrono>
#include <cstdint>
#include <initializer_list>

#include "common/clock.h"
#include "common/stats/interval_summary.h"

namespace linkmon::testing {

// A summary starting at `start`, 10 s long, with `received` replies of `rtt` each and `lost` probes
// lost.
inline stats::IntervalSummary SummaryAt(SystemTime start, std::chrono::nanoseconds rtt,
                                        std::uint64_t received, std::uint64_t lost = 0,
                                        std::chrono::nanoseconds duration =
                                            std::chrono::seconds(10)) {
  stats::IntervalSummary summary;
  summary.start = start;
  summary.duration = duration;
  summary.counts.sent = received + lost;
  summary.counts.received = received;
  summary.counts.lost = lost;
  for (std::uint64_t i = 0; i < received; ++i) summary.rtt.Record(rtt);
  return summary;
}

// 2026-01-01T00:00:00Z, FakeClock's starting wall time.
inline SystemTime Epoch2026() {
  return SystemTime(std::chrono::seconds(1767225600));
}

}  // namespace linkmon::testing
