#pragma once

// What a prober remembers about the probes it sent, to turn a reply into an RTT: send times on
// both clocks, and the kernel's transmit timestamp once it arrives on the error queue. STAMP and
// DNS keep one (STAMP needs the wall-clock T1 and the socket's transmit ids); the ICMP prober
// uses its path's table instead (ProbeListener::Tracked).
//
// Storage is a ring of `capacity` slots allocated once, probe `sequence` in slot
// sequence % capacity: sending, matching a reply and attaching a stamp cost no allocation and no
// hashing, and memory stays capacity * sizeof(slot) (32 bytes) however long the prober runs.
// The scheduler numbers a path's probes consecutively, so a slot is reused `capacity` probes
// later: a reply to an older probe is treated as foreign (the path's IntervalRecorder has long
// since decided that probe's fate). RememberedProbesFor sizes the ring for a path. Not
// thread-safe.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "common/clock.h"

namespace linkmon::probers {

struct SentProbe {
  MonotonicTime monotonic;  // user-space, just before the send call
  SystemTime wall;          // the same instant on the wall clock (STAMP's T1 is made of it)
  std::optional<SystemTime> kernel;  // software TX timestamp (wall clock)
};

// Slots a path needs: every probe whose reply can still count, i.e. sent within the late horizon
// the scheduler gives the path (at most 3 * timeout + 1 s, probe_scheduler.h), plus two spare for
// probes sent while a reply is on its way. At least 4, at most 4096.
std::size_t RememberedProbesFor(std::chrono::nanoseconds interval,
                                std::chrono::nanoseconds timeout);

class SentProbes {
 public:
  // `capacity` is taken into 2 .. 4096.
  explicit SentProbes(std::size_t capacity);

  // Remembers probe `sequence`, with `transmit_id` the socket's count of sent datagrams before it
  // (SOF_TIMESTAMPING_OPT_ID numbering), replacing the probe `capacity` sequences before it.
  void Add(std::uint32_t sequence, std::uint32_t transmit_id, const SentProbe& probe);

  // The probe as remembered (a copy: slots keep it in a narrower form), or nullopt.
  std::optional<SentProbe> Find(std::uint32_t sequence) const;

  // Attaches a transmit timestamp to the probe sent as datagram `transmit_id`; false when it is
  // no longer remembered or already stamped. Stamps arrive microseconds after the send, so the
  // search starts at the newest probe and usually ends there.
  bool SetKernelTime(std::uint32_t transmit_id, SystemTime time);

  std::size_t capacity() const { return capacity_; }

 private:
  // A slot is in use when its sequence maps to it (sequence % capacity == its index): an empty
  // slot i holds sequence i + 1, which maps elsewhere (capacity is at least 2), so no flag is
  // needed; and a missing kernel stamp is the epoch itself, not an optional: 32 bytes, not 48.
  // A path keeps RememberedProbesFor slots, 7 for a probe a second: 10,000 targets pay 1.1 MB
  // for every 16 bytes of slot.
  struct Slot {
    MonotonicTime monotonic;
    SystemTime wall;
    SystemTime kernel;  // SystemTime{}: not stamped (yet)
    std::uint32_t sequence = 0;
    std::uint32_t transmit_id = 0;
  };

  bool InUse(std::size_t index) const { return slots_[index].sequence % capacity_ == index; }
  // Stores a kernel stamp in the slot unless it has one: false then.
  static bool Stamp(Slot& slot, SystemTime time);

  // An array and two 32-bit numbers rather than a vector: 16 bytes, one per path (capacity is at
  // most 4096).
  std::unique_ptr<Slot[]> slots_;
  std::uint32_t capacity_;
  std::uint32_t newest_ = 0;  // slot of the last probe added
};

}  // namespace linkmon::probers
