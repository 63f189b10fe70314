#pragma once

// The receive loops of the probers and the reflector wait for their socket to become readable
// (rather than posting a read) so that they can read the datagram and its kernel timestamps with
// recvmsg themselves. This is that wait: `on_readable` runs once the socket is readable; a closed
// socket (operation_aborted) ends the loop quietly, any other error ends it with a log line
// naming `who` ("stamp_prober", "reflector", ...). `on_readable` keeps its owner alive (capture a
// shared_ptr) and waits again when it is done.

#include <spdlog/spdlog.h>

#include <boost/asio/error.hpp>
#include <string_view>
#include <utility>

#include "common/logging.h"

namespace linkmon::net {

template <typename Socket, typename Handler>
void AsyncWaitReadable(Socket& socket, std::string_view who, Handler on_readable) {
  socket.async_wait(Socket::wait_read, [who, on_readable = std::move(on_readable)](
                                           const boost::system::error_code& error) mutable {
    if (error == boost::asio::error::operation_aborted) return;
    if (error) {
      spdlog::error("event={}_wait_failed error={}", who, KvQuote(error.message()));
      return;
    }
    on_readable();
  });
}

}  // namespace linkmon::net
