#include "common/stats/interval_summary.h"

#include <algorithm>
#include <limits>

namespace linkmon::stats {

namespace {

using std::chrono::nanoseconds;

std::optional<nanoseconds> MinOf(std::optional<nanoseconds> a, std::optional<nanoseconds> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

std::optional<nanoseconds> MaxOf(std::optional<nanoseconds> a, std::optional<nanoseconds> b) {
  if (!a) return b;
  if (!b) return a;
  return std::max(*a, *b);
}

bool CountsFit(const histogram::LogHistogram& a, const histogram::LogHistogram& b) {
  return a.Count() <= std::numeric_limits<std::uint64_t>::max() - b.Count();
}

}  // namespace

Status IntervalSummary::Merge(const IntervalSummary& other) {
  // Check every histogram first so that a refusal leaves nothing half-merged.
  if (!CountsFit(rtt, other.rtt) || !CountsFit(ipdv_magnitude, other.ipdv_magnitude) ||
      !CountsFit(forward_delay, other.forward_delay) ||
      !CountsFit(reverse_delay, other.reverse_delay)) {
    return MakeError(ErrorCode::kOutOfRange, "interval summary: merged count overflows 64 bits");
  }
  // A summary with no duration (a default one, the start of a fold) covers no time and leaves
  // the span alone, so that it is neutral in merges.
  if (duration == nanoseconds(0)) {
    start = other.start;
    duration = other.duration;
  } else if (other.duration != nanoseconds(0)) {
    const SystemTime end = std::max(start + duration, other.start + other.duration);
    start = std::min(start, other.start);
    duration = std::chrono::duration_cast<nanoseconds>(end - start);
  }
  timestamp_source = CombineTimestampSources(timestamp_source, other.timestamp_source);

  counts += other.counts;

  (void)rtt.Merge(other.rtt);  // cannot fail: checked above
  (void)ipdv_magnitude.Merge(other.ipdv_magnitude);
  ipdv_min = MinOf(ipdv_min, other.ipdv_min);
  ipdv_max = MaxOf(ipdv_max, other.ipdv_max);
  rfc3550_jitter = MaxOf(rfc3550_jitter, other.rfc3550_jitter);
  (void)forward_delay.Merge(other.forward_delay);
  (void)reverse_delay.Merge(other.reverse_delay);
  one_way_unsynchronized += other.one_way_unsynchronized;
  return {};
}

}  // namespace linkmon::stats
