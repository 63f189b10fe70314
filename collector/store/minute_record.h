#pragma once

// MinuteRecord: what the collector's store keeps of one path's wall-clock minute, the evidence
// behind every later question ("was Xining->Shanghai over 20 ms p99 last Tuesday at 14:05?") and
// what the windows rebuild from after a restart.
//
// A minute holds every interval summary of the path whose interval *started* in that minute,
// merged (IntervalSummary::Merge: counters add, histograms merge bucket for bucket, RFC 3550
// jitter is the maximum). An interval that starts at 12:00:55 and lasts 10 s is filed under
// 12:00 entirely: summaries are not split, because a histogram cannot be. With the probes'
// default 10 s intervals aligned to the minute, no interval straddles a boundary.

#include <optional>

#include "common/clock.h"
#include "common/ids.h"
#include "common/result.h"
#include "common/stats/interval_summary.h"
#include "common/units.h"

namespace linkmon::store {

struct MinuteRecord {
  PathKey path;
  SystemTime minute;  // start of the wall-clock minute (UTC, whole minutes since the epoch)
  // The merge of the minute's interval summaries; summary.start/duration span them.
  stats::IntervalSummary summary;
  // Lowest throughput a bandwidth test achieved in the minute (the conservative figure for a
  // minimum-bandwidth SLA); nullopt without a test.
  std::optional<Bandwidth> throughput;

  bool operator==(const MinuteRecord&) const = default;
};

// The start of the wall-clock minute holding `time` (floor, also before 1970).
SystemTime MinuteOf(SystemTime time);

// Adds one interval's summary (and throughput) to `record`. Refuses, leaving it unchanged, when a
// histogram count would overflow 64 bits.
Status MergeInto(MinuteRecord& record, const stats::IntervalSummary& summary,
                 std::optional<Bandwidth> throughput);

}  // namespace linkmon::store
