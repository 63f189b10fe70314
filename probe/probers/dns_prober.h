#pragma once

// DNS query latency over UDP to one resolver: a type-A query for the configured name per probe,
// from a connected UDP socket (the kernel drops datagrams from any other address). RTT = T4 - T1
// with the kernel's TX and RX timestamps when the socket has them ("kernel"), else the monotonic
// clock ("userspace").
//
// Every matching response is a reply, whatever its RCODE: the resolver answered, and how fast is
// what is measured. RCODEs are counted (NOERROR, NXDOMAIN, SERVFAIL, REFUSED, other), because a
// resolver that answers SERVFAIL quickly is not healthy. A response matches when its ID belongs to
// an outstanding probe and its question is ours; others are foreign (counted, never recorded).
// IDs start at a random offset so that an off-path spoofer cannot predict them.

#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "common/clock.h"
#include "common/result.h"
#include "probe/net/socket_options.h"
#include "probe/probers/prober.h"

namespace linkmon::probers {

struct DnsProberOptions {
  boost::asio::ip::udp::endpoint resolver;
  std::string query;  // the name asked for (type A)
  std::uint8_t dscp = 0;
  std::size_t remembered_probes = 4096;
  std::size_t max_replies_per_turn = 64;
};

struct DnsRcodeCounts {
  std::uint64_t noerror = 0;
  std::uint64_t nxdomain = 0;
  std::uint64_t servfail = 0;
  std::uint64_t refused = 0;
  std::uint64_t other = 0;
  std::uint64_t truncated = 0;  // TC set (also counted under its RCODE)
};

class DnsProber final : public Prober {
 public:
  static Result<std::unique_ptr<DnsProber>> Make(boost::asio::io_context& io, const Clock& clock,
                                                 const DnsProberOptions& options,
                                                 ProbeListener& listener);
  ~DnsProber() override;

  Status Send(std::uint32_t sequence) override;
  const ProberCounters& counters() const override;
  const DnsRcodeCounts& rcodes() const;
  net::KernelTimestamping timestamping() const;

 private:
  class Session;
  explicit DnsProber(std::shared_ptr<Session> session);
  std::shared_ptr<Session> session_;
};

}  // namespace linkmon::probers
