#pragma once

// What a prober remembers about the probes it sent, to turn a reply into an RTT: send times on
// both clocks, and the kernel's transmit timestamp once it arrives on the error queue. Bounded:
// the oldest entries go first, so a reply to a probe older than `capacity` probes is treated as
// foreign (IntervalRecorder has long since counted that probe as lost). Not thread-safe.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>

#include "common/clock.h"

namespace linkmon::probers {

struct SentProbe {
  MonotonicTime monotonic;           // user-space, just before the send call
  SystemTime wall;                   // the same instant on the wall clock
  std::optional<SystemTime> kernel;  // software TX timestamp (wall clock)
  std::uint64_t wire_timestamp = 0;  // what the packet carried (STAMP T1), to check echoes
};

class SentProbes {
 public:
  explicit SentProbes(std::size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}

  // Remembers probe `sequence`, with `transmit_id` the socket's count of sent datagrams before it
  // (SOF_TIMESTAMPING_OPT_ID numbering). Sequences are 32-bit counters: they do not repeat within
  // `capacity` probes.
  void Add(std::uint32_t sequence, std::uint32_t transmit_id, const SentProbe& probe);

  SentProbe* Find(std::uint32_t sequence);

  // Attaches a transmit timestamp; false when the probe is no longer remembered.
  bool SetKernelTime(std::uint32_t transmit_id, SystemTime time);

 private:
  struct Entry {
    std::uint32_t sequence;
    std::uint32_t transmit_id;
  };

  std::size_t capacity_;
  std::deque<Entry> order_;  // oldest first
  std::unordered_map<std::uint32_t, SentProbe> by_sequence_;
  std::unordered_map<std::uint32_t, std::uint32_t> sequence_by_transmit_id_;
};

}  // namespace linkmon::probers
