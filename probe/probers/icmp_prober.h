#pragma once

// ICMP echo towards one target through the shared IcmpEchoService of its IP version and DSCP.
// RTT = T4 - T1: the kernel's TX and RX timestamps when the socket has both for a probe
// (timestamp source "kernel"), else the monotonic clock around send and receive ("userspace").
// A reply counts only when its flow, identifier and cookie are ours (the service checks) and its
// sequence is a probe the path still tracks; anything else is counted as foreign, never recorded.
//
// The prober keeps no table of its own: the probes it sent, with their transmit stamps, are in
// the path's table behind its listener (ProbeListener::Tracked), where the path keeps them anyway
// until their interval closes. A path probed at 10,000 targets thus remembers each probe once.

#include <cstddef>
#include <memory>

#include <boost/asio/ip/address.hpp>

#include "common/result.h"
#include "probe/probers/icmp_echo_service.h"
#include "probe/probers/prober.h"

namespace linkmon::probers {

struct IcmpProberOptions {
  boost::asio::ip::address target;
  // ICMP header and payload; at least icmp::kMinEchoSize (24).
  std::size_t icmp_size = 56;
};

// ICMP bytes of a probe whose whole IP packet is `ip_packet_size` bytes (the config's
// packet_size), never below the 24 bytes linkmon's echo needs.
std::size_t IcmpSizeForPacketSize(int ip_packet_size, icmp::IpVersion version);

class IcmpProber final : public Prober, private IcmpFlow {
 public:
  // The service's IP version must match the target's. `service` and `listener` must outlive the
  // prober (the probe's ProberResources own its services), and `listener` answer Tracked and
  // AttachTransmitStamp for the probes it was told of.
  static Result<std::unique_ptr<IcmpProber>> Make(IcmpEchoService& service,
                                                  const IcmpProberOptions& options,
                                                  ProbeListener& listener);
  ~IcmpProber() override;
  IcmpProber(const IcmpProber&) = delete;
  IcmpProber& operator=(const IcmpProber&) = delete;

  Status Send(std::uint32_t sequence) override;
  const ProberCounters& counters() const override { return counters_; }

 private:
  IcmpProber(IcmpEchoService& service, const IcmpProberOptions& options, ProbeListener& listener);

  void OnProbeSent(std::uint32_t sequence, MonotonicTime monotonic) override;
  void OnSendFailed(std::uint32_t sequence, const Error& error) override;
  void OnTransmitTimestamp(std::uint32_t sequence, SystemTime time) override;
  void OnEchoReply(const icmp::EchoReply& reply, const net::ReceivedDatagram& received) override;

  // A prober per path: of its options it keeps what each probe needs, and the service by
  // reference rather than shared: 120 bytes, 128 with malloc's header (144 with a shared_ptr).
  IcmpEchoService* service_;
  boost::asio::ip::address target_;
  std::uint32_t icmp_size_;
  std::uint32_t flow_;
  ProbeListener* listener_;
  ProberCounters counters_;
};

}  // namespace linkmon::probers
