#pragma once

// Two bound loopback UDP sockets of one family (port 0) for tests of the socket helpers: real
// kernel paths, and nothing leaves the host.

#include <poll.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "probe/net/datagram_io.h"

namespace linkmon::net::testing {

using boost::asio::ip::udp;

// Two bound loopback sockets of one family, port 0: real kernel paths, nothing leaves the host.
class LoopbackPair {
 public:
  explicit LoopbackPair(const udp& protocol)
      : loopback_(protocol == udp::v4()
                      ? boost::asio::ip::address(boost::asio::ip::address_v4::loopback())
                      : boost::asio::ip::address(boost::asio::ip::address_v6::loopback())),
        sender_(io_, udp::endpoint(loopback_, 0)),
        receiver_(io_, udp::endpoint(loopback_, 0)),
        family_(protocol.family()) {}

  int sender() { return sender_.native_handle(); }
  int receiver() { return receiver_.native_handle(); }
  int family() const { return family_; }
  SocketAddress ReceiverAddress() {
    return *SocketAddress::Make(loopback_, receiver_.local_endpoint().port(), family_);
  }
  std::uint16_t SenderPort() { return sender_.local_endpoint().port(); }
  const boost::asio::ip::address& loopback() const { return loopback_; }

  // Waits until the receiver has a datagram (at most 2 s), so that tests do not race the kernel.
  bool WaitReadable(int fd) {
    pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
    return ::poll(&p, 1, 2000) == 1;
  }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::address loopback_;
  udp::socket sender_;
  udp::socket receiver_;
  int family_;
};

}  // namespace linkmon::net::testing
