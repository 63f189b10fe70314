#include "probe/net/receive_batch.h"

#include <cerrno>
#include <cstring>

namespace linkmon::net {

namespace {

// Control buffers must be aligned for cmsghdr; kControlBytes is a multiple of the alignment.
static_assert(kControlBytes % alignof(cmsghdr) == 0);

}  // namespace

ReceiveBatch::ReceiveBatch(std::size_t max_datagrams, std::size_t datagram_bytes)
    : datagram_bytes_(datagram_bytes < 1 ? 1 : datagram_bytes),
      payload_((max_datagrams < 1 ? 1 : max_datagrams) * datagram_bytes_),
      control_((max_datagrams < 1 ? 1 : max_datagrams) * kControlBytes + alignof(cmsghdr)),
      sources_(max_datagrams < 1 ? 1 : max_datagrams),
      iovecs_(sources_.size()),
      headers_(sources_.size()) {}

Result<std::size_t> ReceiveBatch::ReceiveWithFlags(int fd, std::size_t limit, int flags,
                                                   const char* step) {
  const std::size_t count = std::min(limit, headers_.size());
  if (count == 0) return std::size_t{0};
  // The vector's storage is only byte-aligned in principle: align the control blocks by hand.
  auto base = reinterpret_cast<std::uintptr_t>(control_.data());
  auto aligned = (base + alignof(cmsghdr) - 1) & ~(std::uintptr_t{alignof(cmsghdr)} - 1);
  auto* control = reinterpret_cast<std::uint8_t*>(aligned);
  for (std::size_t i = 0; i < count; ++i) {
    iovecs_[i] = {.iov_base = payload_.data() + i * datagram_bytes_, .iov_len = datagram_bytes_};
    msghdr& message = headers_[i].msg_hdr;
    message = {};
    message.msg_name = &sources_[i];
    message.msg_namelen = sizeof(sockaddr_storage);
    message.msg_iov = &iovecs_[i];
    message.msg_iovlen = 1;
    message.msg_control = control + i * kControlBytes;
    message.msg_controllen = kControlBytes;
    headers_[i].msg_len = 0;
  }
  int got;
  do {
    got = ::recvmmsg(fd, headers_.data(), static_cast<unsigned int>(count), flags | MSG_DONTWAIT,
                     nullptr);
  } while (got < 0 && errno == EINTR);
  if (got < 0) return tl::unexpected(ErrnoError(step));
  return static_cast<std::size_t>(got);
}

Result<std::size_t> ReceiveBatch::Receive(int fd, std::size_t limit) {
  return ReceiveWithFlags(fd, limit, MSG_TRUNC, "recvmmsg");
}

Result<std::size_t> ReceiveBatch::ReceiveErrorQueue(int fd, std::size_t limit) {
  return ReceiveWithFlags(fd, limit, MSG_ERRQUEUE, "recvmmsg(MSG_ERRQUEUE)");
}

ReceivedDatagram ReceiveBatch::Datagram(std::size_t i) const {
  const msghdr& message = headers_[i].msg_hdr;
  ReceivedDatagram out;
  // With MSG_TRUNC msg_len is the datagram's real length, even when longer than the buffer.
  const std::size_t length = headers_[i].msg_len;
  out.truncated = (message.msg_flags & MSG_TRUNC) != 0 || length > datagram_bytes_;
  out.size = std::min(length, datagram_bytes_);
  ReadSourceAddress(sources_[i], out);
  ReadReceiveControl(message, out);
  return out;
}

std::span<const std::uint8_t> ReceiveBatch::Bytes(std::size_t i) const {
  const std::size_t length = std::min<std::size_t>(headers_[i].msg_len, datagram_bytes_);
  return std::span<const std::uint8_t>(payload_).subspan(i * datagram_bytes_, length);
}

Result<TransmitTimestamp> ReceiveBatch::Stamp(std::size_t i) const {
  return ParseTransmitTimestamp(headers_[i].msg_hdr);
}

}  // namespace linkmon::net
