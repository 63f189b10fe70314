#pragma once

// IntervalSummary: what one path measured in one interval, the unit a probe uploads and the
// collector merges into sliding windows. Everything in it merges exactly (counters add,
// histograms merge bucket for bucket) except the RFC 3550 jitter, which by its nature cannot
// (see below).
//
// Attribution: every probe, and everything learnt about it (its reply, its RTT, being late, lost,
// duplicated or reordered, its IPDV with the probe before it), belongs to the interval in which
// it was sent. IntervalRecorder states when an interval is final.

#include <chrono>
#include <cstdint>
#include <optional>

#include "common/clock.h"
#include "common/histogram/log_histogram.h"
#include "common/result.h"
#include "common/stats/timestamp_source.h"

namespace linkmon::stats {

// The fate of the probes sent in an interval. Each probe is in exactly one of received, late,
// lost and untracked, so sent == received + late + lost + untracked. Duplicated and reordered
// count events on top of that.
struct ProbeCounts {
  std::uint64_t sent = 0;
  // First reply arrived within the timeout; its RTT is in the histograms.
  std::uint64_t received = 0;
  // First reply arrived after the timeout but before the late horizon: counted here only, not as
  // received and not as lost (RFC 7679 would call it lost; the count says what really happened).
  std::uint64_t late = 0;
  // No reply before the late horizon.
  std::uint64_t lost = 0;
  // Sent while the outstanding-probe table was full, so its reply could not be matched: its fate
  // is unknown. Non-zero means the recorder's bound is too small for the probe rate.
  std::uint64_t untracked = 0;
  // Replies beyond the first to the same probe.
  std::uint64_t duplicated = 0;
  // Received replies whose sequence number was lower than the next expected one when they
  // arrived (RFC 4737 section 3.3, Type-P-Reordered): they came after a later probe's reply.
  std::uint64_t reordered = 0;

  bool operator==(const ProbeCounts&) const = default;
  // Adds every count of `other` (the counts of two intervals, or of a path over time).
  ProbeCounts& operator+=(const ProbeCounts& other) {
    sent += other.sent;
    received += other.received;
    late += other.late;
    lost += other.lost;
    untracked += other.untracked;
    duplicated += other.duplicated;
    reordered += other.reordered;
    return *this;
  }
};

struct IntervalSummary {
  // Wall-clock label of the interval's start, and its length. After a merge: the earliest start
  // and the span up to the latest end. A summary with duration 0 (a default one) covers no time
  // and is neutral in merges.
  SystemTime start{};
  std::chrono::nanoseconds duration{0};

  // Which clock stamped the received replies (kMixed when both kinds were seen).
  TimestampSource timestamp_source = TimestampSource::kNone;

  ProbeCounts counts;

  // RTT of received replies (not of late or duplicate ones).
  histogram::LogHistogram rtt;

  // IPDV, RFC 5481 section 4.2: for consecutive probes i-1, i (in sending order) that were both
  // received, IPDV(i) = RTT(i) - RTT(i-1). The histogram holds |IPDV|, because it cannot hold
  // negative values and an SLA on delay variation is about magnitude: p50/p99 of |IPDV| say how
  // far consecutive probes typically and at worst differ. The signed extremes keep the direction
  // (a sudden rise in delay shows as a large positive max). nullopt without any pair.
  histogram::LogHistogram ipdv_magnitude;
  std::optional<std::chrono::nanoseconds> ipdv_min;
  std::optional<std::chrono::nanoseconds> ipdv_max;

  // RFC 3550 interarrival jitter of the RTT, J, as it stood after the last received reply of this
  // interval; nullopt without a received reply after the first. Not mergeable: J is a running
  // estimate over the last ~16 packets, not a statistic of a set. A merged summary carries the
  // maximum of the merged values: "the highest end-of-interval jitter in the window", which is
  // conservative for an SLA and, unlike "the latest", does not depend on merge order. Windows that
  // need an exact figure use the IPDV histogram.
  std::optional<std::chrono::nanoseconds> rfc3550_jitter;

  // One-way delays, filled only from replies whose event said both clocks were synchronised.
  // Empty histograms mean one-way delay is unavailable for this interval: see OneWayDelayAvailable.
  histogram::LogHistogram forward_delay;
  histogram::LogHistogram reverse_delay;
  // Received replies that carried one-way delays but without synchronised clocks: left out.
  std::uint64_t one_way_unsynchronized = 0;

  bool OneWayDelayAvailable() const { return !forward_delay.Empty(); }

  // Combines `other` into this summary (see the fields for what each becomes). Refuses, leaving
  // this summary unchanged, when a histogram's count would overflow 64 bits.
  Status Merge(const IntervalSummary& other);

  bool operator==(const IntervalSummary&) const = default;
};

}  // namespace linkmon::stats
