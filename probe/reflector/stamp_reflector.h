#pragma once

// The STAMP Session-Reflector on the network: one UDP socket on the daemon's io_context, feeding
// SessionReflector and sending its replies. Runs inside the probe (a `reflector:` section) or
// alone (`linkmon-probe --reflector-only`).
//
// Per datagram: T2 is the kernel receive timestamp (SO_TIMESTAMPING / SO_TIMESTAMPNS) when the
// socket has one, else the system clock when the datagram is read; T3 is the system clock just
// before the reply is built. The TTL / Hop Limit of each request is copied into its reply.
// At most max_packets_per_turn datagrams are handled per wake-up, so a flood cannot starve the
// probers sharing the io_context. Refusals are counted by reason and logged at warn, at most once
// per reason every 10 s (a flood must not become a log flood).
//
// Not thread-safe: call from the io_context's thread. Destroying it closes the socket.

#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "common/clock.h"
#include "common/result.h"
#include "probe/net/socket_options.h"
#include "probe/reflector/reflector_counters.h"
#include "probe/reflector/reflector_options.h"
#include "probe/stamp/error_estimate.h"

namespace linkmon::reflector {

class StampReflector {
 public:
  // Validates `options`, loads the key file (refusing one that group or others can read), binds,
  // and starts answering. Errors name the step: "reflector: ...", "stamp key file ...".
  static Result<std::unique_ptr<StampReflector>> Start(boost::asio::io_context& io,
                                                       const Clock& clock,
                                                       ReflectorOptions options);
  ~StampReflector();
  StampReflector(const StampReflector&) = delete;
  StampReflector& operator=(const StampReflector&) = delete;

  // The bound address and port (the kernel's choice when options.listen had port 0).
  boost::asio::ip::udp::endpoint local_endpoint() const;
  // How T2 is taken: kNone means the system clock when the datagram was read.
  net::KernelTimestamping timestamping() const;
  const ReflectorCounters& counters() const;
  std::size_t session_count() const;
  void SetClockErrorEstimate(stamp::ErrorEstimate estimate);

 private:
  class Socket;
  explicit StampReflector(std::shared_ptr<Socket> socket);

  // Shared with the pending receive handler, which may run after this object is gone.
  std::shared_ptr<Socket> socket_;
};

}  // namespace linkmon::reflector
