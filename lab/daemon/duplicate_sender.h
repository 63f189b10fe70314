#pragma once

// Sends the copies of duplicated packets. NFQUEUE can only let a packet go once, so the copy is
// written by a raw socket opened in the WAN namespace (IP header included, as received, with its
// TTL already decremented by the forward): the kernel routes it out of the same interface as the
// original, through the same shaping.

#include <cstdint>
#include <span>

#include "common/result.h"

namespace linkmon::lab {

class DuplicateSender {
 public:
  // Opens the sockets in the calling thread's network namespace.
  static Result<DuplicateSender> Open();
  DuplicateSender(DuplicateSender&& other) noexcept;
  DuplicateSender& operator=(DuplicateSender&&) = delete;
  ~DuplicateSender();

  // `packet` starts with its IPv4 or IPv6 header.
  Status Send(std::span<const std::uint8_t> packet);

 private:
  DuplicateSender(int ipv4_fd, int ipv6_fd) : ipv4_fd_(ipv4_fd), ipv6_fd_(ipv6_fd) {}
  int ipv4_fd_ = -1;
  int ipv6_fd_ = -1;
};

}  // namespace linkmon::lab
