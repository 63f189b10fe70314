#include "collector/windows/minute_stats.h"

#include <algorithm>
#include <limits>

namespace linkmon::windows {

SystemTime MinuteStart(SystemTime time) {
  return std::chrono::floor<std::chrono::minutes>(time);
}

MinuteStats MinuteStats::FromSummary(const stats::IntervalSummary& summary) {
  return MinuteStats{.counts = summary.counts,
                     .rtt = summary.rtt,
                     .rfc3550_jitter = summary.rfc3550_jitter,
                     .throughput = std::nullopt};
}

MinuteStats MinuteStats::FromThroughput(Bandwidth achieved) {
  MinuteStats stats;
  stats.throughput = achieved;
  return stats;
}

Status MinuteStats::Merge(const MinuteStats& other) {
  if (rtt.Count() > std::numeric_limits<std::uint64_t>::max() - other.rtt.Count()) {
    return MakeError(ErrorCode::kOutOfRange, "minute stats: merged RTT count overflows 64 bits");
  }
  counts.sent += other.counts.sent;
  counts.received += other.counts.received;
  counts.late += other.counts.late;
  counts.lost += other.counts.lost;
  counts.untracked += other.counts.untracked;
  counts.duplicated += other.counts.duplicated;
  counts.reordered += other.counts.reordered;
  (void)rtt.Merge(other.rtt);  // cannot fail: checked above
  if (other.rfc3550_jitter) {
    rfc3550_jitter = rfc3550_jitter ? std::max(*rfc3550_jitter, *other.rfc3550_jitter)
                                    : *other.rfc3550_jitter;
  }
  if (other.throughput) {
    throughput = throughput ? std::min(*throughput, *other.throughput) : *other.throughput;
  }
  return {};
}

}  // namespace linkmon::windows
