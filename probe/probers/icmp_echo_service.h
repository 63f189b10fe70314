#pragma once

// One ICMP echo socket shared by every ICMP target of an IP version and DSCP class: a raw socket
// sees all ICMP traffic of the host, so a socket per target would make each reply cost a wake-up
// per target. The service sends for its IcmpProbers and hands each reply to the prober whose flow
// it names (echo_packet.h explains the identifier, cookie, flow and sequence checks).
//
// Opened at start-up, before the probe drops CAP_NET_RAW: a raw socket keeps working afterwards.
// Not thread-safe; runs on the daemon's io_context. Call Close() at shutdown (pending waits hold
// the service alive until the io_context runs or is destroyed).

#include <cstdint>
#include <deque>
#include <memory>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "common/clock.h"
#include "common/result.h"
#include "probe/icmp/echo_packet.h"
#include "probe/icmp/icmp_socket.h"
#include "probe/net/datagram_io.h"
#include "probe/net/socket_options.h"

namespace linkmon::probers {

// What the service delivers to a registered prober.
class IcmpFlow {
 public:
  virtual ~IcmpFlow() = default;
  virtual void OnTransmitTimestamp(std::uint32_t transmit_id, SystemTime time) = 0;
  virtual void OnEchoReply(const icmp::EchoReply& reply, const net::ReceivedDatagram& received) = 0;
};

struct IcmpServiceCounters {
  std::uint64_t foreign_replies = 0;    // another identifier or cookie, or no such flow
  std::uint64_t malformed_replies = 0;  // truncated, bad checksum, inconsistent
  std::uint64_t other_icmp = 0;         // ICMP messages that are not echo replies
};

struct IcmpEchoServiceOptions {
  icmp::IpVersion version = icmp::IpVersion::kV4;
  icmp::SocketPreference preference = icmp::SocketPreference::kDatagramThenRaw;
  std::uint8_t dscp = 0;
  std::size_t max_replies_per_turn = 64;
};

class IcmpEchoService : public std::enable_shared_from_this<IcmpEchoService> {
 public:
  // `cookie` is the process's (icmp::RandomCookie(), made once by main).
  static Result<std::shared_ptr<IcmpEchoService>> Open(boost::asio::io_context& io,
                                                       const Clock& clock,
                                                       const IcmpEchoServiceOptions& options,
                                                       const icmp::Cookie& cookie);

  // Registers a prober; returns its flow number. The prober unregisters before it goes away.
  std::uint32_t Register(IcmpFlow& flow);
  void Unregister(std::uint32_t flow);

  // Sends echo `sequence` of `flow` to `target`, `icmp_size` bytes of ICMP. Returns the socket's
  // transmit id of the datagram (for its kernel TX timestamp).
  Result<std::uint32_t> Send(std::uint32_t flow, std::uint32_t sequence,
                             const boost::asio::ip::address& target, std::size_t icmp_size);

  // Reads up to `limit` transmit timestamps while any can be queued, handing each to its flow.
  // A prober calls it right after Send has returned and it has recorded the probe: the software
  // stamp is usually queued before sendto() returns, and reading it then spares the wake-up its
  // error-queue entry would cause (transmit_stamps.h).
  void CollectTransmitStamps(std::size_t limit);

  void Close();

  icmp::IpVersion version() const { return options_.version; }
  icmp::SocketKind kind() const { return kind_; }
  net::KernelTimestamping timestamping() const { return timestamping_; }
  const IcmpServiceCounters& counters() const { return counters_; }
  const Clock& clock() const { return clock_; }

  // Use Open.
  IcmpEchoService(boost::asio::io_context& io, const Clock& clock,
                  const IcmpEchoServiceOptions& options, const icmp::Cookie& cookie,
                  icmp::IcmpSocket socket);

 private:
  void WaitReadable();
  void HandleReadable();
  void HandleDatagram(const net::ReceivedDatagram& received);

  const Clock& clock_;
  IcmpEchoServiceOptions options_;
  icmp::Cookie cookie_;
  icmp::SocketKind kind_;
  std::uint16_t identifier_;
  int family_;
  // Owns the descriptor (moved out of the IcmpSocket) and waits on it.
  boost::asio::posix::stream_descriptor descriptor_;
  net::KernelTimestamping timestamping_ = net::KernelTimestamping::kNone;
  std::uint32_t next_flow_ = 1;
  std::unordered_map<std::uint32_t, IcmpFlow*> flows_;
  std::uint32_t transmit_count_ = 0;
  std::uint32_t outstanding_stamps_ = 0;  // sent datagrams whose TX stamp is not read yet
  // Which flow sent each recent datagram, by transmit id, for routing TX timestamps.
  std::deque<std::pair<std::uint32_t, std::uint32_t>> transmit_flows_;
  std::vector<std::uint8_t> request_;
  std::vector<std::uint8_t> reply_;
  IcmpServiceCounters counters_;
};

}  // namespace linkmon::probers
