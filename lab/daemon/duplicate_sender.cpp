#include "lab/daemon/duplicate_sender.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace linkmon::lab {

Result<DuplicateSender> DuplicateSender::Open() {
  // IPPROTO_RAW implies IP_HDRINCL (and its IPv6 equivalent): the packet goes out as given.
  const int v4 = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_RAW);
  if (v4 < 0) {
    return MakeError(ErrorCode::kPermission, std::string("raw IPv4 socket: ") + strerror(errno));
  }
  const int v6 = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_RAW);
  if (v6 < 0) {
    const int error = errno;
    close(v4);
    return MakeError(ErrorCode::kPermission, std::string("raw IPv6 socket: ") + strerror(error));
  }
  return DuplicateSender(v4, v6);
}

DuplicateSender::DuplicateSender(DuplicateSender&& other) noexcept
    : ipv4_fd_(other.ipv4_fd_), ipv6_fd_(other.ipv6_fd_) {
  other.ipv4_fd_ = -1;
  other.ipv6_fd_ = -1;
}

DuplicateSender::~DuplicateSender() {
  if (ipv4_fd_ >= 0) close(ipv4_fd_);
  if (ipv6_fd_ >= 0) close(ipv6_fd_);
}

Status DuplicateSender::Send(std::span<const std::uint8_t> packet) {
  //  IPv4: version/IHL(1) TOS(1) length(2) ... destination at offset 16 (4 bytes)
  //  IPv6: version/class/flow(4) length(2) next(1) hops(1) source(16) destination at 24 (16)
  if (packet.empty()) return MakeError(ErrorCode::kInvalidArgument, "duplicate: empty packet");
  const int version = packet[0] >> 4;
  ssize_t sent = -1;
  if (version == 4 && packet.size() >= 20) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    std::memcpy(&to.sin_addr, packet.data() + 16, 4);
    sent = sendto(ipv4_fd_, packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&to),
                  sizeof to);
  } else if (version == 6 && packet.size() >= 40) {
    sockaddr_in6 to{};
    to.sin6_family = AF_INET6;
    std::memcpy(&to.sin6_addr, packet.data() + 24, 16);
    sent = sendto(ipv6_fd_, packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&to),
                  sizeof to);
  } else {
    return MakeError(ErrorCode::kInvalidArgument, "duplicate: not an IPv4 or IPv6 packet");
  }
  if (sent < 0) return MakeError(ErrorCode::kIo, std::string("duplicate: ") + strerror(errno));
  return {};
}

}  // namespace linkmon::lab
