#pragma once

// Two bound loopback UDP sockets of one family (port 0) for tests of the socket helpers: real
// kernel paths, and nothing leaves the host.

#include <poll.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <thread>

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

  // Call after enabling receive timestamps on the receiver. The kernel turns receive stamping on
  // for the whole host lazily: the first socket to ask for it schedules a work item, and a
  // datagram that arrives before the work has run carries no stamp (it failed a test once, on a
  // loaded machine). Sends datagrams to the receiver and reads each back until one arrives
  // stamped, for at most ~2 s; the receiver's queue is left empty. False if none was stamped.
  bool AwaitReceiveStamping() {
    const std::array<std::uint8_t, 1> ping = {0xee};
    std::array<std::uint8_t, 16> buffer{};
    for (int attempt = 0; attempt < 200; ++attempt) {
      if (!SendDatagram(sender(), ping, ReceiverAddress()) || !WaitReadable(receiver())) {
        return false;
      }
      Result<ReceivedDatagram> got = ReceiveDatagram(receiver(), buffer);
      if (got && got->kernel_receive_time) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::address loopback_;
  udp::socket sender_;
  udp::socket receiver_;
  int family_;
};

}  // namespace linkmon::net::testing
