#include "probe/icmp/icmp_socket.h"

#include <fcntl.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace linkmon::icmp {

namespace {

int Family(IpVersion version) { return version == IpVersion::kV4 ? AF_INET : AF_INET6; }
int Protocol(IpVersion version) {
  return version == IpVersion::kV4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
}
const char* Name(IpVersion version) { return version == IpVersion::kV4 ? "IPv4" : "IPv6"; }

// Binds to identifier 0 ("any") so the kernel picks one now, and reads it back.
Result<std::uint16_t> DatagramIdentifier(int fd, IpVersion version) {
  sockaddr_storage address{};
  socklen_t length;
  if (version == IpVersion::kV4) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
    v4->sin_family = AF_INET;
    length = sizeof(sockaddr_in);
  } else {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
    v6->sin6_family = AF_INET6;
    length = sizeof(sockaddr_in6);
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return MakeError(ErrorCode::kIo,
                     fmt::format("icmp: cannot bind a datagram socket: {}", std::strerror(errno)));
  }
  return ntohs(version == IpVersion::kV4 ? reinterpret_cast<sockaddr_in*>(&address)->sin_port
                                         : reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
}

// Lets only echo replies through to a raw socket, which would otherwise get every ICMP message.
Status FilterEchoReplies(int fd, IpVersion version) {
  if (version == IpVersion::kV4) {
    icmp_filter filter{.data = ~(1U << ICMP_ECHOREPLY)};
    if (::setsockopt(fd, SOL_RAW, ICMP_FILTER, &filter, sizeof filter) == 0) return {};
  } else {
    icmp6_filter filter;
    ICMP6_FILTER_SETBLOCKALL(&filter);
    ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
    if (::setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter) == 0) return {};
  }
  return MakeError(ErrorCode::kIo,
                   fmt::format("icmp: cannot filter a raw socket: {}", std::strerror(errno)));
}

}  // namespace

Result<IcmpSocket> IcmpSocket::Open(IpVersion version, SocketPreference preference) {
  std::string datagram_refusal;
  if (preference != SocketPreference::kRawOnly) {
    int fd =
        ::socket(Family(version), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, Protocol(version));
    if (fd >= 0) {
      Result<std::uint16_t> identifier = DatagramIdentifier(fd, version);
      if (!identifier) {
        ::close(fd);
        return tl::unexpected(identifier.error());
      }
      return IcmpSocket(fd, version, SocketKind::kDatagram, *identifier);
    }
    datagram_refusal = fmt::format(
        "datagram ICMP socket refused ({}): this process's group is outside "
        "net.ipv4.ping_group_range",
        std::strerror(errno));
    if (preference == SocketPreference::kDatagramOnly) {
      return MakeError(ErrorCode::kPermission,
                       fmt::format("icmp {}: {}", Name(version), datagram_refusal));
    }
  }
  int fd = ::socket(Family(version), SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, Protocol(version));
  if (fd < 0) {
    std::string raw_refusal =
        fmt::format("raw ICMP socket refused ({}): needs CAP_NET_RAW", std::strerror(errno));
    return MakeError(
        ErrorCode::kPermission,
        datagram_refusal.empty()
            ? fmt::format("icmp {}: {}", Name(version), raw_refusal)
            : fmt::format("icmp {}: {}; {}", Name(version), datagram_refusal, raw_refusal));
  }
  if (Status filtered = FilterEchoReplies(fd, version); !filtered) {
    ::close(fd);
    return tl::unexpected(filtered.error());
  }
  // Raw sockets have no kernel-assigned identifier; a random one keeps concurrent linkmon probes
  // (and the cookie, other pingers) apart.
  std::random_device random;
  return IcmpSocket(fd, version, SocketKind::kRaw, static_cast<std::uint16_t>(random()));
}

IcmpSocket::~IcmpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

IcmpSocket::IcmpSocket(IcmpSocket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      version_(other.version_),
      kind_(other.kind_),
      identifier_(other.identifier_) {}

IcmpSocket& IcmpSocket::operator=(IcmpSocket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    version_ = other.version_;
    kind_ = other.kind_;
    identifier_ = other.identifier_;
  }
  return *this;
}

int IcmpSocket::Release() { return std::exchange(fd_, -1); }

int IcmpSocket::family() const { return Family(version_); }

}  // namespace linkmon::icmp
