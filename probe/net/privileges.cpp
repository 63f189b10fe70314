#include "probe/net/privileges.h"

#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace linkmon::net {

namespace {

Error Errno(const std::string& step) {
  return Error{errno == EPERM ? ErrorCode::kPermission : ErrorCode::kIo,
               fmt::format("{}: {}", step, std::strerror(errno))};
}

}  // namespace

Status DropToUser(const std::string& user) {
  if (::geteuid() != 0) {
    return MakeError(ErrorCode::kPermission,
                     fmt::format("cannot switch to user '{}': not running as root", user));
  }
  std::vector<char> buffer(16 * 1024);
  passwd entry{};
  passwd* found = nullptr;
  int error = ::getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found);
  if (error != 0 || found == nullptr) {
    return MakeError(ErrorCode::kInvalidArgument, fmt::format("unknown user '{}'", user));
  }
  if (found->pw_uid == 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("user '{}' is root: choose an unprivileged user", user));
  }
  // Groups first: after setuid the process may no longer change them.
  if (::setgroups(0, nullptr) != 0) return tl::unexpected(Errno("setgroups"));
  if (::setresgid(found->pw_gid, found->pw_gid, found->pw_gid) != 0) {
    return tl::unexpected(Errno("setresgid"));
  }
  if (::setresuid(found->pw_uid, found->pw_uid, found->pw_uid) != 0) {
    return tl::unexpected(Errno("setresuid"));
  }
  return {};
}

Status DropAllCapabilities() {
  // Lower the bounding set while CAP_SETPCAP is still there (only a privileged process may).
  for (int capability = 0; capability <= CAP_LAST_CAP; ++capability) {
    (void)::prctl(PR_CAPBSET_DROP, capability, 0, 0, 0);
  }
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    return tl::unexpected(Errno("prctl(PR_CAP_AMBIENT_CLEAR_ALL)"));
  }
  __user_cap_header_struct header{.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capset, &header, data) != 0) return tl::unexpected(Errno("capset"));
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    return tl::unexpected(Errno("prctl(PR_SET_NO_NEW_PRIVS)"));
  }
  return {};
}

Result<CapabilitySets> ReadCapabilities(int pid) {
  std::string path = fmt::format("/proc/{}/status", pid);
  std::ifstream status(path);
  if (!status) return MakeError(ErrorCode::kIo, fmt::format("cannot read {}", path));
  CapabilitySets sets;
  int seen = 0;
  for (std::string line; std::getline(status, line);) {
    auto read = [&](const char* name, unsigned long long& into) {
      std::string prefix = std::string(name) + ":";
      if (line.rfind(prefix, 0) != 0) return;
      into = std::stoull(line.substr(prefix.size()), nullptr, 16);
      ++seen;
    };
    read("CapEff", sets.effective);
    read("CapPrm", sets.permitted);
    read("CapInh", sets.inheritable);
    read("CapAmb", sets.ambient);
  }
  if (seen < 3) return MakeError(ErrorCode::kParse, fmt::format("{}: no Cap* lines", path));
  return sets;
}

}  // namespace linkmon::net
