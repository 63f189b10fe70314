#pragma once

// Which clock stamped a measurement. Kernel timestamps (SO_TIMESTAMPING / SO_TIMESTAMPNS) leave
// out scheduling delay in the prober; userspace ones include it, and under load they can add
// tens of microseconds to a 1 ms metro RTT. Metrics carry the source so that an operator can tell
// a slow path from a busy probe.

#include <optional>
#include <string_view>

namespace linkmon::stats {

enum class TimestampSource {
  kNone,       // no measurement carried a timestamp (an interval without replies)
  kUserspace,  // the prober read the monotonic clock around send and receive
  kKernel,     // the kernel stamped the packets
  kMixed,      // a summary combining measurements of both kinds
};

std::string_view TimestampSourceName(TimestampSource source);  // "none", "userspace", ...
std::optional<TimestampSource> ParseTimestampSource(std::string_view name);

// The source of measurements from both: the same kind stays, kNone is neutral, different kinds
// give kMixed. Commutative and associative, as summary merging needs.
TimestampSource CombineTimestampSources(TimestampSource a, TimestampSource b);

}  // namespace linkmon::stats
