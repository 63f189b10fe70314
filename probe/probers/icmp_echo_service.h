#pragma once

// One ICMP echo socket shared by every ICMP target of an IP version and DSCP class: a raw socket
// sees all ICMP traffic of the host, so a socket per target would make each reply cost a wake-up
// per target. The service sends for its IcmpProbers and hands each reply to the prober whose flow
// it names (echo_packet.h explains the identifier, cookie, flow and sequence checks).
//
// Cost per probe: a share of a few system calls. Send queues the echo; the probes queued in one
// loop turn (the scheduler sends all that fell due in its slot) leave together in one sendmmsg,
// from a handler the turn's first Send posts, right after the turn; then the same handler reads
// the turn's transmit stamps (queued by the kernel before sendmmsg returns) in one recvmmsg.
// Replies are read many per recvmmsg too (net/receive_batch.h), and a stamp finds its probe
// through a ring indexed by transmit id, O(1) whatever the number of targets.
//
// Opened at start-up, before the probe drops CAP_NET_RAW: a raw socket keeps working afterwards.
// Not thread-safe; runs on the daemon's io_context. Call Close() at shutdown (pending waits hold
// the service alive until the io_context runs or is destroyed).

#include <cstdint>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "common/clock.h"
#include "common/result.h"
#include "probe/icmp/echo_packet.h"
#include "probe/icmp/icmp_socket.h"
#include "probe/net/datagram_io.h"
#include "probe/net/receive_batch.h"
#include "probe/net/send_batch.h"
#include "probe/net/socket_options.h"

namespace linkmon::probers {

// What the service delivers to a registered prober.
class IcmpFlow {
 public:
  virtual ~IcmpFlow() = default;
  // Probe `sequence` of this flow left (the monotonic clock read just before the batch's send
  // call), or the kernel refused it: then it did not leave.
  virtual void OnProbeSent(std::uint32_t sequence, MonotonicTime monotonic) = 0;
  virtual void OnSendFailed(std::uint32_t sequence, const Error& error) = 0;
  // The kernel's transmit stamp of probe `sequence` of this flow.
  virtual void OnTransmitTimestamp(std::uint32_t sequence, SystemTime time) = 0;
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
  // Replies, and transmit stamps, read per wake-up (the packet cap per loop turn).
  std::size_t max_replies_per_turn = 64;
  // Echoes sent per sendmmsg; a fuller batch is sent at once.
  std::size_t max_sends_per_batch = 64;
  // Socket receive buffer (replies and unread transmit stamps): 4 MiB holds a few thousand
  // replies, several seconds of 1,000 targets at 1/s, through a stall of the process.
  int receive_buffer_bytes = 4 << 20;
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

  // Queues echo `sequence` of `flow` to `target`, `icmp_size` bytes of ICMP, to leave with the
  // turn's batch right after the current handler returns; the flow hears OnProbeSent (or
  // OnSendFailed), then OnTransmitTimestamp. Errors here (bad size or address, socket closed)
  // mean it was not queued.
  Status Send(std::uint32_t flow, std::uint32_t sequence, const boost::asio::ip::address& target,
              std::size_t icmp_size);

  // Sends the queued echoes now and reads their transmit stamps (the posted handler does this).
  void Flush();

  // Reads up to `limit` transmit timestamps while any can be queued, handing each to its flow.
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
  void HandleDatagram(const net::ReceivedDatagram& received, std::span<const std::uint8_t> bytes);
  void RouteTransmitStamp(const net::TransmitTimestamp& stamp);
  IcmpFlow* FlowOf(std::uint32_t flow) const;

  // Which flow and sequence went out as datagram `transmit_id`, in slot transmit_id % size.
  struct TransmitRecord {
    bool used = false;
    std::uint32_t transmit_id = 0;
    std::uint32_t flow = 0;
    std::uint32_t sequence = 0;
  };

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
  // Registered flows by number (numbers are handed out from 1 up); nullptr once unregistered. A
  // vector, not a hash map: a lookup per probe sent, stamped and answered, ~8 bytes a flow.
  std::vector<IcmpFlow*> flows_;
  std::uint32_t transmit_count_ = 0;
  std::uint32_t outstanding_stamps_ = 0;  // sent datagrams whose TX stamp is not read yet
  bool flush_posted_ = false;             // a handler will send this turn's batch
  std::vector<TransmitRecord> transmit_index_;
  std::vector<std::uint8_t> request_;
  // Replies are read into buffers the size of the largest echo sent (replies to ours are that
  // size; anything longer is not ours and is kept truncated, counted as malformed).
  std::unique_ptr<net::ReceiveBatch> replies_;
  net::ReceiveBatch stamps_;
  // The queued echoes, and whose they are.
  net::SendBatch batch_;
  struct QueuedEcho {
    std::uint32_t flow;
    std::uint32_t sequence;
  };
  std::vector<QueuedEcho> queued_;
  IcmpServiceCounters counters_;
};

}  // namespace linkmon::probers
