#pragma once

// Runs a test body inside a network namespace of its own, for tests that need a sysctl the host
// does not set (net.ipv4.ping_group_range) without touching the host. The namespace belongs to
// one thread: it has only a loopback interface, brought up here, and it disappears when the
// thread ends, so nothing is left behind even when the body fails. Needs CAP_SYS_ADMIN; returns
// false (and the caller skips) where namespaces cannot be made.

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <string>
#include <thread>

namespace linkmon::net::testing {

struct PrivateNetworkSettings {
  // Written to /proc/sys/net/ipv4/ping_group_range inside the namespace when not empty.
  std::string ping_group_range;
};

inline bool RunInPrivateNetwork(const PrivateNetworkSettings& settings,
                                const std::function<void()>& body, std::string* why_not) {
  bool ran = false;
  std::thread thread([&] {
    if (::unshare(CLONE_NEWNET) != 0) {
      *why_not = std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno);
      return;
    }
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ifreq request{};
    std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
    bool up = fd >= 0 && ::ioctl(fd, SIOCGIFFLAGS, &request) == 0;
    request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
    up = up && ::ioctl(fd, SIOCSIFFLAGS, &request) == 0;
    if (fd >= 0) ::close(fd);
    if (!up) {
      *why_not = std::string("cannot bring up lo: ") + std::strerror(errno);
      return;
    }
    if (!settings.ping_group_range.empty()) {
      int sysctl = ::open("/proc/sys/net/ipv4/ping_group_range", O_WRONLY | O_CLOEXEC);
      bool written = sysctl >= 0 && ::write(sysctl, settings.ping_group_range.data(),
                                            settings.ping_group_range.size()) ==
                                        static_cast<ssize_t>(settings.ping_group_range.size());
      if (sysctl >= 0) ::close(sysctl);
      if (!written) {
        *why_not = std::string("cannot set ping_group_range: ") + std::strerror(errno);
        return;
      }
    }
    ran = true;
    body();
  });
  thread.join();
  return ran;
}

}  // namespace linkmon::net::testing
