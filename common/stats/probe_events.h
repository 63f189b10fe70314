#pragma once

// What a prober tells the IntervalRecorder about one path: a probe went out, a reply came back.
// Timeouts are not events: a probe times out when time passes its deadline (IntervalRecorder), so
// a prober needs no timer per probe.

#include <chrono>
#include <cstdint>
#include <optional>

#include "common/clock.h"
#include "common/stats/timestamp_source.h"

namespace linkmon::stats {

struct ProbeSent {
  std::uint32_t sequence;  // per path, +1 per probe, wrapping at 2^32
  MonotonicTime sent;      // when the probe left (kernel TX time when there is one)
};

// Whether both hosts' clocks were synchronised (NTP/PTP in sync, small error bound) when the
// reply's timestamps were taken. Only then do one-way delays mean anything: with clocks apart,
// forward and reverse delay shift by the offset, one up and one down (a peer exported -2.6 s).
enum class ClockSync { kNotSynchronized, kBothSynchronized };

struct OneWayDelays {
  std::chrono::nanoseconds forward;  // sender -> reflector: T2 - T1
  std::chrono::nanoseconds reverse;  // reflector -> sender: T4 - T3
};

struct ProbeReply {
  std::uint32_t sequence;
  MonotonicTime arrival;         // when the reply arrived; decides received / late / lost
  std::chrono::nanoseconds rtt;  // round trip excluding reflector time: (T4-T1) - (T3-T2)
  TimestampSource timestamp_source = TimestampSource::kUserspace;
  // Present when the method measures them (STAMP); recorded only with kBothSynchronized.
  std::optional<OneWayDelays> one_way = std::nullopt;
  ClockSync clock_sync = ClockSync::kNotSynchronized;
};

// What a path's table remembers of a probe it sent, for a prober that keeps no table of its own:
// when it left (ProbeSent::sent) and the kernel's transmit stamp (wall clock) once attached, until
// the probe is answered.
struct TrackedProbe {
  MonotonicTime sent;
  std::optional<SystemTime> kernel_sent;
};

}  // namespace linkmon::stats
