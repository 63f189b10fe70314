#pragma once

// STAMP Session-Sender (RFC 8762 §4.2) towards one reflector: one connected UDP socket per
// target (the kernel drops datagrams from any other address, and the reflector sees one session
// per target), probes of a fixed size with the target's DSCP.
//
// Round trip, excluding the reflector's own time (RFC 8762 §4.1 timestamps T1..T4):
//   RTT = (T4 - T1) - (T3 - T2)
// T1 and T4 are the kernel's software TX and RX timestamps when the socket has them (timestamp
// source "kernel"), else the monotonic clock around send and receive ("userspace"). T2 and T3 are
// the reflector's, from the reply.
// One-way delays: forward = T2 - T1, reverse = T4 - T3, on the two hosts' wall clocks; passed on
// as synchronised only when this host's clock and the reflector's both set the Error Estimate's
// S bit, and the reply echoes our own S bit.
//
// A reply counts as ours only when its Session-Sender Sequence Number is a probe we remember and
// its Session-Sender Timestamp is exactly the T1 we sent in it; anything else is foreign (counted,
// never recorded). In authenticated mode the HMAC must also verify.

#include <cstddef>
#include <cstdint>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "common/clock.h"
#include "common/result.h"
#include "probe/net/socket_options.h"
#include "probe/probers/prober.h"
#include "probe/stamp/stamp_packet.h"

namespace linkmon::probers {

struct StampProberOptions {
  boost::asio::ip::udp::endpoint reflector;
  // UDP payload of each probe; at least the codec's base size (44, or 112 authenticated).
  std::size_t payload_size = stamp::kUnauthenticatedBaseSize;
  std::uint8_t dscp = 0;
  // Probes remembered for matching replies: at least rate * late horizon of the path.
  std::size_t remembered_probes = 4096;
  // Replies handled per wake-up.
  std::size_t max_replies_per_turn = 64;
};

// UDP payload for a probe whose whole IP packet is `ip_packet_size` bytes (the config's
// packet_size), never below the STAMP base format.
std::size_t StampPayloadSize(int ip_packet_size, bool ipv6, const stamp::StampCodec& codec);

class StampProber final : public Prober {
 public:
  // `listener` must outlive the prober. Errors name the step ("stamp prober: ...").
  static Result<std::unique_ptr<StampProber>> Make(boost::asio::io_context& io, const Clock& clock,
                                                   stamp::StampCodec codec,
                                                   const StampProberOptions& options,
                                                   ProbeListener& listener);
  ~StampProber() override;

  Status Send(std::uint32_t sequence) override;
  const ProberCounters& counters() const override;

  // This host's clock quality, written into probes (S bit) and required for one-way delays.
  void SetClockErrorEstimate(stamp::ErrorEstimate estimate);
  net::KernelTimestamping timestamping() const;
  boost::asio::ip::udp::endpoint local_endpoint() const;

 private:
  class Session;
  explicit StampProber(std::shared_ptr<Session> session);
  std::shared_ptr<Session> session_;
};

}  // namespace linkmon::probers
