#pragma once

// Reading many datagrams, or many error-queue entries, with one recvmmsg(2): on a virtual machine
// each system call costs tens of microseconds, more than handling the datagram, so a socket that
// serves a thousand targets reads what one wake-up finds in one call. The buffers (payload,
// source address, control data) are allocated once, for at most `max_datagrams` per call.
//
// Not thread-safe; what Receive* reads stays valid until the next call.

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/result.h"
#include "probe/net/datagram_io.h"

namespace linkmon::net {

class ReceiveBatch {
 public:
  // `datagram_bytes`: the buffer of each datagram; longer ones are kept truncated and say so.
  ReceiveBatch(std::size_t max_datagrams, std::size_t datagram_bytes);
  ReceiveBatch(const ReceiveBatch&) = delete;
  ReceiveBatch& operator=(const ReceiveBatch&) = delete;

  // Reads up to min(limit, max_datagrams) queued datagrams of `fd` without waiting; returns how
  // many. Errors: kUnavailable when none is queued; kIo for anything else the kernel reports.
  Result<std::size_t> Receive(int fd, std::size_t limit);

  // The same for the socket's error queue (MSG_ERRQUEUE): transmit timestamps, for Stamp().
  Result<std::size_t> ReceiveErrorQueue(int fd, std::size_t limit);

  // Datagram `i` of the last Receive: its bytes (at most datagram_bytes) and what came with it.
  ReceivedDatagram Datagram(std::size_t i) const;
  std::span<const std::uint8_t> Bytes(std::size_t i) const;

  // Entry `i` of the last ReceiveErrorQueue; kParse for an entry that is not a transmit stamp.
  Result<TransmitTimestamp> Stamp(std::size_t i) const;

  std::size_t max_datagrams() const { return headers_.size(); }
  std::size_t datagram_bytes() const { return datagram_bytes_; }

 private:
  Result<std::size_t> ReceiveWithFlags(int fd, std::size_t limit, int flags, const char* step);

  std::size_t datagram_bytes_;
  std::vector<std::uint8_t> payload_;
  std::vector<std::uint8_t> control_;
  std::vector<sockaddr_storage> sources_;
  std::vector<iovec> iovecs_;
  std::vector<mmsghdr> headers_;
};

}  // namespace linkmon::net
