#pragma once

// Makes a TCP service inside a lab site reachable from the host, without touching the host's
// network: it listens on a host loopback port and opens each upstream connection from inside the
// site's namespace (a socket created while the thread is in a namespace stays there), then copies
// bytes both ways. The demo uses it so that an operator's browser on the host reaches the
// collector's page, Prometheus and Alertmanager running in the Xining namespace.
//
// Bounded: at most kMaxConnections at once (more are closed at accept), each direction through a
// fixed 64 KiB buffer; either side closing ends the pair. Single-threaded, on one io_context.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"

namespace linkmon::lab {

struct ForwardRule {
  std::uint16_t local_port = 0;           // on the host's 127.0.0.1
  boost::asio::ip::tcp::endpoint remote;  // inside the namespace
};

// "9100:10.77.1.2:9100" or "9100" with a default remote address: LOCAL[:ADDRESS]:REMOTE_PORT.
Result<ForwardRule> ParseForwardRule(const std::string& text,
                                     const boost::asio::ip::address& default_remote);

class PortForwarder {
 public:
  static constexpr std::size_t kMaxConnections = 256;

  // Binds 127.0.0.1:local_port for each rule. `netns` is the namespace name (/run/netns/NAME).
  static Result<std::unique_ptr<PortForwarder>> Start(boost::asio::io_context& io,
                                                      std::string netns,
                                                      const std::vector<ForwardRule>& rules);
  ~PortForwarder();

  void Stop();

 private:
  class Listener;
  PortForwarder() = default;
  std::vector<std::shared_ptr<Listener>> listeners_;
};

}  // namespace linkmon::lab
