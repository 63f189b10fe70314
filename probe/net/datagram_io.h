#pragma once

// Non-blocking datagram send and receive on a native socket (UDP, ICMP datagram or raw), with the
// control messages the measurements need: the kernel receive timestamp, the TTL / Hop Limit, and
// transmit timestamps from the error queue. Callers wait for readiness on their io_context
// (async_wait) and then call these until they return kUnavailable, up to a cap per loop turn.

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>

#include <boost/asio/ip/address.hpp>

#include "common/result.h"

namespace linkmon::net {

// A destination as the kernel wants it, built for a socket of a given family (an IPv4 address
// sent from an IPv6 socket becomes IPv4-mapped).
class SocketAddress {
 public:
  static Result<SocketAddress> Make(const boost::asio::ip::address& address, std::uint16_t port,
                                    int socket_family);
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  socklen_t length() const { return length_; }

 private:
  sockaddr_storage storage_{};
  socklen_t length_ = 0;
};

struct ReceivedDatagram {
  std::size_t size = 0;    // bytes stored in the buffer
  bool truncated = false;  // the datagram was longer than the buffer; `size` bytes were kept
  boost::asio::ip::address source_address;  // as the socket reports it (maybe IPv4-mapped)
  std::uint16_t source_port = 0;
  // From SO_TIMESTAMPING (software) or SO_TIMESTAMPNS, when the socket has them enabled.
  std::optional<std::chrono::system_clock::time_point> kernel_receive_time;
  std::optional<std::uint8_t> ttl;            // when EnableReceiveTtl was called
  std::optional<std::uint8_t> traffic_class;  // TOS / Traffic Class (DSCP << 2 | ECN), when
                                              // EnableReceiveTrafficClass was called
};

// Reads one queued datagram into `buffer`. Errors: kUnavailable when none is queued (EAGAIN);
// kIo for anything else the kernel reports.
Result<ReceivedDatagram> ReceiveDatagram(int fd, std::span<std::uint8_t> buffer);

// Sends one datagram. Errors: kUnavailable when the send buffer is full (EAGAIN, ENOBUFS); kIo
// otherwise (the message carries strerror).
Status SendDatagram(int fd, std::span<const std::uint8_t> data, const SocketAddress& to);

// A software transmit timestamp (EnableKernelTimestamps with kWanted).
struct TransmitTimestamp {
  std::uint32_t id = 0;  // the datagram's index in send order on this socket, from 0
  std::chrono::system_clock::time_point time;
};

// Reads one entry of the socket's error queue. Errors: kUnavailable when the queue is empty;
// kParse for an entry that is not a transmit timestamp (it is consumed, so keep reading).
Result<TransmitTimestamp> ReadTransmitTimestamp(int fd);

// The pieces the single reads above and receive_batch.h share.

// Room for every control message we ask for: a timestamping block (3 timespecs), a TTL or hop
// limit, and an extended error, with headers and alignment.
inline constexpr std::size_t kControlBytes = 256;

// The error of a failed system call `step`, from errno: kUnavailable for EAGAIN and ENOBUFS
// (try again later), kIo with strerror for anything else.
Error ErrnoError(const char* step);

// Fills `out`'s source from a received address, and its kernel receive time, TTL and traffic
// class from the message's control data.
void ReadSourceAddress(const sockaddr_storage& from, ReceivedDatagram& out);
void ReadReceiveControl(const msghdr& message, ReceivedDatagram& out);

// The transmit timestamp an error-queue message carries; kParse when it carries none.
Result<TransmitTimestamp> ParseTransmitTimestamp(const msghdr& message);

}  // namespace linkmon::net
