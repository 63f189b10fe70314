#pragma once

// TCP connect: the time from SYN to established, for paths where ICMP and UDP are filtered or
// treated differently from real traffic. Each probe is a fresh non-blocking connect; on
// established the connection is closed at once (a normal FIN) and the reply is recorded.
//
// RTT: the kernel's own measurement of the handshake (TCP_INFO tcpi_rtt, taken from the SYN-ACK)
// when the SYN was not retransmitted (timestamp source "kernel"); else the monotonic clock from
// the connect call to its completion ("userspace").
//
// Failures are told apart and counted, never recorded as replies (the probe then counts as lost):
// refused (RST to the SYN: nothing listens), reset (ECONNRESET), timed out (no answer within the
// timeout; the attempt is abandoned), unreachable (ICMP host or network unreachable), other.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "common/clock.h"
#include "common/result.h"
#include "probe/probers/prober.h"

namespace linkmon::probers {

struct TcpConnectProberOptions {
  boost::asio::ip::tcp::endpoint target;
  std::chrono::nanoseconds timeout = std::chrono::seconds(1);
  std::uint8_t dscp = 0;
  // Connection attempts open at once; a Send beyond it fails (a send error, not a loss).
  std::size_t max_in_flight = 16;
};

struct TcpConnectOutcomes {
  std::uint64_t established = 0;
  std::uint64_t refused = 0;
  std::uint64_t reset = 0;
  std::uint64_t timed_out = 0;
  std::uint64_t unreachable = 0;
  std::uint64_t other_errors = 0;
};

class TcpConnectProber final : public Prober {
 public:
  static Result<std::unique_ptr<TcpConnectProber>> Make(boost::asio::io_context& io,
                                                        const Clock& clock,
                                                        const TcpConnectProberOptions& options,
                                                        ProbeListener& listener);
  ~TcpConnectProber() override;

  Status Send(std::uint32_t sequence) override;
  const ProberCounters& counters() const override;
  const TcpConnectOutcomes& outcomes() const;

 private:
  class Attempts;
  explicit TcpConnectProber(std::shared_ptr<Attempts> attempts);
  std::shared_ptr<Attempts> attempts_;
};

}  // namespace linkmon::probers
