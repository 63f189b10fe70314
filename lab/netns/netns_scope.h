#pragma once

// Moves the calling thread into a named network namespace (/run/netns/NAME, as `ip netns add`
// makes it) and back when the scope ends. Sockets opened inside stay in that namespace after the
// thread leaves it: that is how the emulator, itself in the host's namespace, holds an NFQUEUE
// socket in the lab's WAN namespace. /proc/sys/net written inside changes that namespace only.
//
// Not for threads that other code shares: setns changes the whole thread. The lab is single-
// threaded.

#include <string>

#include "common/result.h"

namespace linkmon::lab {

class NetnsScope {
 public:
  static Result<NetnsScope> Enter(const std::string& name);

  NetnsScope(NetnsScope&& other) noexcept : original_fd_(other.original_fd_) {
    other.original_fd_ = -1;
  }
  NetnsScope& operator=(NetnsScope&&) = delete;
  NetnsScope(const NetnsScope&) = delete;
  ~NetnsScope();

 private:
  explicit NetnsScope(int original_fd) : original_fd_(original_fd) {}
  int original_fd_;
};

// Writes a sysctl in the calling thread's network namespace: ("net.ipv4.ip_forward", "1").
Status WriteSysctl(const std::string& name, const std::string& value);

}  // namespace linkmon::lab
