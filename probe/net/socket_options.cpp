#include "probe/net/socket_options.h"

#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace linkmon::net {

namespace {

Status SetInt(int fd, int level, int name, int value, const char* what) {
  if (::setsockopt(fd, level, name, &value, sizeof value) == 0) return {};
  return MakeError(ErrorCode::kIo, fmt::format("setsockopt {}: {}", what, std::strerror(errno)));
}

}  // namespace

std::string_view KernelTimestampingName(KernelTimestamping mode) {
  switch (mode) {
    case KernelTimestamping::kNone:
      return "none";
    case KernelTimestamping::kSoTimestampns:
      return "so_timestampns";
    case KernelTimestamping::kSoTimestamping:
      return "so_timestamping";
  }
  return "unknown";
}

KernelTimestamping EnableKernelTimestamps(int fd, TransmitTimestamps transmit) {
  int flags = SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_RX_SOFTWARE;
  if (transmit == TransmitTimestamps::kWanted) {
    // OPT_TSONLY: the error queue returns only the timestamp, not a copy of the packet (and lets
    // unprivileged sockets read TX timestamps). OPT_ID numbers them by send order.
    flags |= SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_OPT_ID | SOF_TIMESTAMPING_OPT_TSONLY;
  }
  if (::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof flags) == 0) {
    return KernelTimestamping::kSoTimestamping;
  }
  int on = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) == 0) {
    return KernelTimestamping::kSoTimestampns;
  }
  return KernelTimestamping::kNone;
}

Status SetDscp(int fd, int family, std::uint8_t dscp) {
  if (dscp > 63) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("dscp {} is out of range 0..63", static_cast<int>(dscp)));
  }
  int tos = dscp << 2;
  if (family == AF_INET6) {
    if (Status v6 = SetInt(fd, IPPROTO_IPV6, IPV6_TCLASS, tos, "IPV6_TCLASS"); !v6) return v6;
    // IPv4-mapped destinations use the IPv4 option; a v6-only socket may refuse it, harmlessly.
    (void)::setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof tos);
    return {};
  }
  return SetInt(fd, IPPROTO_IP, IP_TOS, tos, "IP_TOS");
}

Status EnableReceiveTtl(int fd, int family) {
  if (family == AF_INET6) {
    if (Status v6 = SetInt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT"); !v6) {
      return v6;
    }
    int on = 1;
    (void)::setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof on);
    return {};
  }
  return SetInt(fd, IPPROTO_IP, IP_RECVTTL, 1, "IP_RECVTTL");
}

Status EnableReceiveTrafficClass(int fd, int family) {
  if (family == AF_INET6) {
    if (Status v6 = SetInt(fd, IPPROTO_IPV6, IPV6_RECVTCLASS, 1, "IPV6_RECVTCLASS"); !v6) {
      return v6;
    }
    int on = 1;
    (void)::setsockopt(fd, IPPROTO_IP, IP_RECVTOS, &on, sizeof on);
    return {};
  }
  return SetInt(fd, IPPROTO_IP, IP_RECVTOS, 1, "IP_RECVTOS");
}

Result<int> GrowReceiveBuffer(int fd, int bytes) {
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0) {
    if (Status set = SetInt(fd, SOL_SOCKET, SO_RCVBUF, bytes, "SO_RCVBUF"); !set) {
      return tl::unexpected(set.error());
    }
  }
  int size = 0;
  socklen_t length = sizeof size;
  if (::getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, &length) != 0) {
    return MakeError(ErrorCode::kIo,
                     fmt::format("getsockopt(SO_RCVBUF): {}", std::strerror(errno)));
  }
  return size;
}

}  // namespace linkmon::net
