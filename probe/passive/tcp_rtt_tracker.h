#pragma once

// TcpRttTracker: round-trip times of live TCP flows seen at one capture point,
// without sending anything. Two sources of samples:
//
//  - TCP timestamps, the "pping" method (K. Nichols, pollere/pping): the first
//  packet of a flow
//    carrying a new TSval is remembered with its capture time; the first packet
//    of the reverse flow echoing that value in TSecr closes the round trip. The
//    sample is the time from the capture point to the far end and back,
//    including the far end's acknowledgment delay (small in bulk flows, which
//    acknowledge every second segment, up to the delayed-ACK timer in sparse
//    ones). Only the first occurrence of a TSval is kept, as RFC 7323
//    section 4.3 makes the echo refer to the earliest unacknowledged one.
//  - The handshake: SYN to SYN-ACK (capture point to server and back) and
//  SYN-ACK to the ACK that
//    completes it (capture point to client and back). A retransmitted SYN or
//    SYN-ACK cancels its sample (Karn's rule: which copy was answered is
//    unknown).
//
// Bounded memory. At most `max_flows` flows (least recently seen evicted first)
// and `max_pending` remembered values (oldest evicted first); values older than
// `max_age` expire unmatched. Each eviction and expiry is counted, never
// silent. A flow costs about 80 bytes, a pending value about 100.
//
// Times are capture timestamps; a sample whose echo was stamped before its
// original (a capture file out of order, a clock step) is counted and dropped.
// Not thread-safe.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <optional>
#include <unordered_map>

#include "common/clock.h"
#include "probe/passive/packet_parser.h"

namespace linkmon::passive {

struct TcpRttTrackerOptions {
  std::size_t max_flows = 16384;
  std::size_t max_pending = 65536;
  std::chrono::nanoseconds max_age = std::chrono::seconds(10);
};

struct TcpRttCounters {
  std::uint64_t timestamp_samples = 0;
  std::uint64_t handshake_samples = 0;
  std::uint64_t flow_evictions = 0;     // flows forgotten to make room
  std::uint64_t pending_evictions = 0;  // remembered values dropped to make room
  std::uint64_t pending_expired = 0;    // remembered values never echoed within max_age
  std::uint64_t retransmitted_handshakes = 0;
  std::uint64_t backwards_samples = 0;  // echo stamped before its original

  bool operator==(const TcpRttCounters &) const = default;
};

struct RttSample {
  enum class Kind { kTimestamp, kHandshake };
  std::chrono::nanoseconds rtt{0};
  IpAddress far_end;  // the host whose answer closed the round trip
  Kind kind = Kind::kTimestamp;
};

class TcpRttTracker {
 public:
  explicit TcpRttTracker(const TcpRttTrackerOptions &options) : options_(options) {}

  // `packet.tcp` must be set. At most one sample per packet (a SYN-ACK that
  // also echoes the SYN's timestamp is one handshake sample).
  std::optional<RttSample> OnSegment(SystemTime at, const ParsedPacket &packet);

  const TcpRttCounters &counters() const { return counters_; }
  std::size_t flows() const { return flows_.size(); }
  std::size_t pending() const { return pending_.size(); }

 private:
  struct FlowKey {
    IpAddress source;
    IpAddress destination;
    std::uint16_t source_port = 0;
    std::uint16_t destination_port = 0;
    bool operator==(const FlowKey &) const = default;
  };
  struct FlowKeyHash {
    std::size_t operator()(const FlowKey &key) const;
  };
  enum class PendingKind : std::uint8_t { kTimestamp, kHandshake };
  struct PendingKey {
    FlowKey flow;
    std::uint32_t value = 0;  // TSval, or the acknowledgment number that answers a SYN/SYN-ACK
    PendingKind kind = PendingKind::kTimestamp;
    bool operator==(const PendingKey &) const = default;
  };
  struct PendingKeyHash {
    std::size_t operator()(const PendingKey &key) const;
  };
  struct FlowState {
    std::uint32_t last_value = 0;  // the newest TSval remembered for this flow
    bool has_value = false;
    std::list<FlowKey>::iterator recency;
  };

  FlowState &TouchFlow(const FlowKey &key);
  void Remember(const PendingKey &key, SystemTime at);
  std::optional<std::chrono::nanoseconds> Match(const PendingKey &key, SystemTime at);
  void Expire(SystemTime now);

  TcpRttTrackerOptions options_;
  TcpRttCounters counters_;
  std::unordered_map<FlowKey, FlowState, FlowKeyHash> flows_;
  std::list<FlowKey> recency_;  // most recently seen first
  std::unordered_map<PendingKey, SystemTime, PendingKeyHash> pending_;
  // Insertion order of pending_, for expiry and eviction; entries already
  // matched are skipped when they reach the front (and compacted when the queue
  // grows past twice the bound).
  std::deque<std::pair<PendingKey, SystemTime>> order_;
};

}  // namespace linkmon::passive
