#pragma once

// Opening an ICMP echo socket. Datagram ("ping") sockets are tried first: they need no privilege
// beyond the process's group being inside net.ipv4.ping_group_range (which also governs IPv6), and
// the kernel hands each socket only the replies to its own identifier. Raw sockets need
// CAP_NET_RAW and see every ICMP packet on the host, so they get a kernel filter that passes echo
// replies only, and a random identifier that DecodeEchoReply's caller checks.
//
// The probe opens its raw sockets at start-up, before dropping CAP_NET_RAW.

#include <cstdint>

#include "common/result.h"
#include "probe/icmp/echo_packet.h"

namespace linkmon::icmp {

enum class SocketPreference {
  kDatagramThenRaw,  // the default: least privilege that works
  kDatagramOnly,
  kRawOnly,
};

class IcmpSocket {
 public:
  // Errors (kPermission) say which sysctl or capability would have allowed each kind.
  static Result<IcmpSocket> Open(IpVersion version,
                                 SocketPreference preference = SocketPreference::kDatagramThenRaw);

  ~IcmpSocket();
  IcmpSocket(IcmpSocket&& other) noexcept;
  IcmpSocket& operator=(IcmpSocket&& other) noexcept;
  IcmpSocket(const IcmpSocket&) = delete;
  IcmpSocket& operator=(const IcmpSocket&) = delete;

  int fd() const { return fd_; }
  // Gives up ownership of the descriptor (to an Asio socket object); fd() is -1 afterwards.
  int Release();

  IpVersion version() const { return version_; }
  SocketKind kind() const { return kind_; }
  int family() const;
  // The identifier replies to this socket carry.
  std::uint16_t identifier() const { return identifier_; }

 private:
  IcmpSocket(int fd, IpVersion version, SocketKind kind, std::uint16_t identifier)
      : fd_(fd), version_(version), kind_(kind), identifier_(identifier) {}

  int fd_;
  IpVersion version_;
  SocketKind kind_;
  std::uint16_t identifier_;
};

}  // namespace linkmon::icmp
