#include "lab/netns/netns_scope.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace linkmon::lab {

Result<NetnsScope> NetnsScope::Enter(const std::string& name) {
  const int original = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (original < 0) {
    return MakeError(ErrorCode::kIo, std::string("open own network namespace: ") + strerror(errno));
  }
  const std::string path = "/run/netns/" + name;
  const int target = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (target < 0) {
    const int error = errno;
    close(original);
    return MakeError(ErrorCode::kUnavailable, "network namespace " + name + ": " + strerror(error));
  }
  const int rc = setns(target, CLONE_NEWNET);
  const int error = errno;
  close(target);
  if (rc != 0) {
    close(original);
    return MakeError(ErrorCode::kPermission,
                     "enter network namespace " + name + ": " + strerror(error));
  }
  return NetnsScope(original);
}

NetnsScope::~NetnsScope() {
  if (original_fd_ < 0) return;
  // Failing to return would leave this thread running the rest of the program in a lab
  // namespace: stop loudly instead.
  if (setns(original_fd_, CLONE_NEWNET) != 0) std::abort();
  close(original_fd_);
}

Status WriteSysctl(const std::string& name, const std::string& value) {
  std::string path = "/proc/sys/" + name;
  std::replace(path.begin() + 10, path.end(), '.', '/');
  std::ofstream file(path);
  file << value;
  file.flush();
  if (!file) {
    return MakeError(ErrorCode::kIo, "sysctl " + name + "=" + value + ": cannot write " + path);
  }
  return {};
}

}  // namespace linkmon::lab
