#pragma once

// Sending many datagrams with one sendmmsg(2): on a virtual machine each system call costs tens
// of microseconds, more than building the packet, so a socket that serves many targets sends the
// probes that fall due in one loop turn together. Each datagram still goes through the kernel
// on its own (its own route, its own SO_TIMESTAMPING transmit stamp and OPT_ID number, taken
// when the kernel sends it), so batching changes no timestamp.
//
// Not thread-safe. Buffers grow to the largest batch and are kept.

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/result.h"
#include "probe/net/datagram_io.h"

namespace linkmon::net {

class SendBatch {
 public:
  explicit SendBatch(std::size_t max_datagrams)
      : max_datagrams_(max_datagrams < 1 ? 1 : max_datagrams) {}
  SendBatch(const SendBatch&) = delete;
  SendBatch& operator=(const SendBatch&) = delete;

  // Queues a copy of `data` for `to`. Precondition: !full().
  void Add(std::span<const std::uint8_t> data, const SocketAddress& to);

  // Sends every queued datagram in order, as few sendmmsg calls as the kernel allows (it stops
  // at a datagram it refuses; the rest go in the next call), and empties the batch. Returns one
  // status per datagram, in the order added: {} when sent, else why the kernel refused it
  // (kUnavailable for a full send buffer, kIo otherwise). Valid until the next call.
  std::span<const Status> Send(int fd);

  std::size_t size() const { return addresses_.size(); }
  bool empty() const { return addresses_.empty(); }
  bool full() const { return addresses_.size() >= max_datagrams_; }

 private:
  std::size_t max_datagrams_;
  std::vector<std::uint8_t> bytes_;   // the datagrams back to back
  std::vector<std::size_t> offsets_;  // where each starts in bytes_, and one past the last
  std::vector<SocketAddress> addresses_;
  std::vector<iovec> iovecs_;
  std::vector<mmsghdr> headers_;
  std::vector<Status> results_;
};

}  // namespace linkmon::net
