#pragma once

// A port nothing listens on now, for a daemon a test starts with a fixed config: the kernel's
// choice of an ephemeral port, released at once (a race with another program is unlikely and
// shows as the daemon's clear listen error).

#include <cstdint>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>

namespace linkmon::testing {

template <typename Protocol = boost::asio::ip::tcp>
std::uint16_t FreePort(const char* address = "127.0.0.1") {
  boost::asio::io_context io;
  typename Protocol::socket socket(
      io, typename Protocol::endpoint(boost::asio::ip::make_address(address), 0));
  return socket.local_endpoint().port();
}

}  // namespace linkmon::testing
