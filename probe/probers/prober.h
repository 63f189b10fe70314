#pragma once

// A prober measures one target by one method: the scheduler calls Send with the target's next
// sequence number, at the times it chooses (spread over the interval), and the prober reports each
// probe leaving and each reply through its ProbeListener, which feeds the path's
// stats::IntervalRecorder. Timeouts are not the prober's business: the recorder decides a probe's
// fate from its timestamps (common/stats/probe_events.h).
//
// Everything runs on the daemon's one io_context; probers are not thread-safe.

#include <cstdint>
#include <optional>

#include "common/clock.h"
#include "common/result.h"
#include "common/stats/probe_events.h"

namespace linkmon::probers {

class ProbeListener {
 public:
  virtual ~ProbeListener() = default;
  virtual void OnSent(const stats::ProbeSent& sent) = 0;
  virtual void OnReply(const stats::ProbeReply& reply) = 0;

  // The path's table of probes, for a prober that keeps none of its own (ICMP): the probe sent
  // as `sequence` as OnSent gave it, with its kernel transmit stamp once attached; nullopt when
  // the path no longer tracks it (a reply to it is foreign). RecorderListener answers from the
  // path's IntervalRecorder (IntervalRecorder::Tracked), so a probe is remembered once.
  virtual std::optional<stats::TrackedProbe> Tracked(std::uint32_t sequence) const = 0;
  // Attaches the kernel's transmit stamp to a probe; false when it is not tracked or stamped
  // already (a probe answered first takes the stamp without keeping it).
  virtual bool AttachTransmitStamp(std::uint32_t sequence, SystemTime kernel_sent) = 0;
};

// What a prober saw that no summary shows, for the probe's /metrics.
struct ProberCounters {
  std::uint64_t probes_sent = 0;
  std::uint64_t send_errors = 0;        // the kernel refused the probe; it was not sent
  std::uint64_t replies = 0;            // matched replies passed to the listener (incl. duplicates)
  std::uint64_t foreign_replies = 0;    // well-formed but not ours: other identifier or cookie,
                                        // unknown sequence, echoed timestamp not what we sent
  std::uint64_t malformed_replies = 0;  // undecodable, or HMAC mismatch
  std::uint64_t kernel_transmit_stamps = 0;  // probes whose send time the kernel stamped

  // Adds every counter of `other` (the probers of one method, summed for /metrics).
  ProberCounters& operator+=(const ProberCounters& other) {
    probes_sent += other.probes_sent;
    send_errors += other.send_errors;
    replies += other.replies;
    foreign_replies += other.foreign_replies;
    malformed_replies += other.malformed_replies;
    kernel_transmit_stamps += other.kernel_transmit_stamps;
    return *this;
  }
};

class Prober {
 public:
  virtual ~Prober() = default;
  // Sends probe `sequence` now. An error means the probe did not leave: the caller counts a send
  // error, not a loss. A prober whose socket sends the probes of one loop turn together (ICMP:
  // one sendmmsg right after the turn) returns only the errors found before that; a probe the
  // kernel then refuses is never reported to the listener as sent, and counts in send_errors.
  virtual Status Send(std::uint32_t sequence) = 0;
  virtual const ProberCounters& counters() const = 0;
};

}  // namespace linkmon::probers
