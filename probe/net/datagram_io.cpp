#include "probe/net/datagram_io.h"

#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include <fmt/format.h>

namespace linkmon::net {

namespace {

using SystemTime = std::chrono::system_clock::time_point;

SystemTime FromTimespec(const timespec& ts) {
  return SystemTime(std::chrono::duration_cast<std::chrono::system_clock::duration>(
      std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec)));
}

bool IsZero(const timespec& ts) { return ts.tv_sec == 0 && ts.tv_nsec == 0; }

}  // namespace

Error ErrnoError(const char* step) {
  int code = errno;
  bool retry = code == EAGAIN || code == EWOULDBLOCK || code == ENOBUFS;
  return Error{retry ? ErrorCode::kUnavailable : ErrorCode::kIo,
               fmt::format("{}: {}", step, std::strerror(code))};
}

void ReadSourceAddress(const sockaddr_storage& from, ReceivedDatagram& out) {
  if (from.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(from);
    out.source_address = boost::asio::ip::address_v4(ntohl(v4.sin_addr.s_addr));
    out.source_port = ntohs(v4.sin_port);
  } else if (from.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(from);
    boost::asio::ip::address_v6::bytes_type bytes;
    std::memcpy(bytes.data(), &v6.sin6_addr, bytes.size());
    out.source_address = boost::asio::ip::address_v6(bytes, v6.sin6_scope_id);
    out.source_port = ntohs(v6.sin6_port);
  }
}

void ReadReceiveControl(const msghdr& message, ReceivedDatagram& out) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr;
       c = CMSG_NXTHDR(const_cast<msghdr*>(&message), c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPING) {
      scm_timestamping stamps;
      std::memcpy(&stamps, CMSG_DATA(c), sizeof stamps);
      if (!IsZero(stamps.ts[0])) out.kernel_receive_time = FromTimespec(stamps.ts[0]);
    } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      timespec stamp;
      std::memcpy(&stamp, CMSG_DATA(c), sizeof stamp);
      out.kernel_receive_time = FromTimespec(stamp);
    } else if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
               (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)) {
      int ttl = 0;
      std::memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
      if (ttl >= 0 && ttl <= 255) out.ttl = static_cast<std::uint8_t>(ttl);
    } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS) {
      // IPv4 delivers the TOS as one byte.
      out.traffic_class = *CMSG_DATA(c);
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_TCLASS) {
      int traffic_class = 0;
      std::memcpy(&traffic_class, CMSG_DATA(c), sizeof traffic_class);
      if (traffic_class >= 0 && traffic_class <= 255) {
        out.traffic_class = static_cast<std::uint8_t>(traffic_class);
      }
    }
  }
}

Result<SocketAddress> SocketAddress::Make(const boost::asio::ip::address& address,
                                          std::uint16_t port, int socket_family) {
  SocketAddress out;
  if (socket_family == AF_INET) {
    if (!address.is_v4()) {
      return MakeError(
          ErrorCode::kInvalidArgument,
          fmt::format("cannot send to IPv6 address {} from an IPv4 socket", address.to_string()));
    }
    sockaddr_in v4{};
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    v4.sin_addr.s_addr = htonl(address.to_v4().to_uint());
    std::memcpy(&out.storage_, &v4, sizeof v4);
    out.length_ = sizeof v4;
    return out;
  }
  boost::asio::ip::address_v6 v6_address =
      address.is_v4()
          ? boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, address.to_v4())
          : address.to_v6();
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  v6.sin6_port = htons(port);
  auto bytes = v6_address.to_bytes();
  std::memcpy(&v6.sin6_addr, bytes.data(), bytes.size());
  v6.sin6_scope_id = static_cast<std::uint32_t>(v6_address.scope_id());
  std::memcpy(&out.storage_, &v6, sizeof v6);
  out.length_ = sizeof v6;
  return out;
}

Result<ReceivedDatagram> ReceiveDatagram(int fd, std::span<std::uint8_t> buffer) {
  sockaddr_storage from{};
  iovec io{.iov_base = buffer.data(), .iov_len = buffer.size()};
  alignas(cmsghdr) unsigned char control[kControlBytes];
  msghdr message{};
  message.msg_name = &from;
  message.msg_namelen = sizeof from;
  message.msg_iov = &io;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  ssize_t got;
  do {
    got = ::recvmsg(fd, &message, MSG_DONTWAIT | MSG_TRUNC);
  } while (got < 0 && errno == EINTR);
  if (got < 0) return tl::unexpected(ErrnoError("recvmsg"));
  ReceivedDatagram out;
  // With MSG_TRUNC the return value is the datagram's real length, even when longer than buffer.
  out.truncated =
      (message.msg_flags & MSG_TRUNC) != 0 || static_cast<std::size_t>(got) > buffer.size();
  out.size = std::min(static_cast<std::size_t>(got), buffer.size());
  ReadSourceAddress(from, out);
  ReadReceiveControl(message, out);
  return out;
}

Status SendDatagram(int fd, std::span<const std::uint8_t> data, const SocketAddress& to) {
  ssize_t sent;
  do {
    sent =
        ::sendto(fd, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL, to.get(), to.length());
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return tl::unexpected(ErrnoError("sendto"));
  if (static_cast<std::size_t>(sent) != data.size()) {
    return MakeError(ErrorCode::kIo, fmt::format("sendto: sent {} of {} bytes", sent, data.size()));
  }
  return {};
}

Result<TransmitTimestamp> ReadTransmitTimestamp(int fd) {
  alignas(cmsghdr) unsigned char control[kControlBytes];
  unsigned char payload[64];  // OPT_TSONLY leaves no payload; room in case the kernel ignores it
  iovec io{.iov_base = payload, .iov_len = sizeof payload};
  msghdr message{};
  message.msg_iov = &io;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  ssize_t got;
  do {
    got = ::recvmsg(fd, &message, MSG_ERRQUEUE | MSG_DONTWAIT);
  } while (got < 0 && errno == EINTR);
  if (got < 0) return tl::unexpected(ErrnoError("recvmsg(MSG_ERRQUEUE)"));
  return ParseTransmitTimestamp(message);
}

Result<TransmitTimestamp> ParseTransmitTimestamp(const msghdr& message) {
  std::optional<SystemTime> time;
  std::optional<std::uint32_t> id;
  for (const cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr;
       c = CMSG_NXTHDR(const_cast<msghdr*>(&message), const_cast<cmsghdr*>(c))) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPING) {
      scm_timestamping stamps;
      std::memcpy(&stamps, CMSG_DATA(c), sizeof stamps);
      if (!IsZero(stamps.ts[0])) time = FromTimespec(stamps.ts[0]);
    } else if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
               (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)) {
      sock_extended_err error;
      std::memcpy(&error, CMSG_DATA(c), sizeof error);
      if (error.ee_origin == SO_EE_ORIGIN_TIMESTAMPING && error.ee_info == SCM_TSTAMP_SND) {
        id = error.ee_data;
      }
    }
  }
  if (!time || !id) {
    return MakeError(ErrorCode::kParse, "error queue: entry is not a software transmit timestamp");
  }
  return TransmitTimestamp{.id = *id, .time = *time};
}

}  // namespace linkmon::net
