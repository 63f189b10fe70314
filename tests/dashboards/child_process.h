#pragma once

// A long-running program started by a test (alertmanager, the collector,
// chromium): spawned with posix_spawn, output to a log file, stopped by PID
// when the object goes (SIGTERM, then SIGKILL after a grace period), also when
// the test fails. Never by name.

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace linkmon::testing {

struct ChildProcessOptions {
  std::vector<std::string> argv;  // argv[0] looked up in PATH
  std::string log_path;           // stdout and stderr appended here
  // Extra descriptors: child fd `child_fd` is a dup of the parent's `parent_fd`
  // (for pipes).
  std::vector<std::pair<int, int>> inherit_fds;  // (parent_fd, child_fd)
};

class ChildProcess {
 public:
  explicit ChildProcess(const ChildProcessOptions &options);
  ~ChildProcess();
  ChildProcess(const ChildProcess &) = delete;
  ChildProcess &operator=(const ChildProcess &) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // True while the child has not exited (reaps it when it has).
  bool Running();
  // SIGTERM, wait up to `grace`, then SIGKILL. Returns the exit status (or -1).
  // Idempotent.
  int Stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

 private:
  pid_t pid_ = -1;
  int status_ = -1;
};

// The whole content of a file ("" when it cannot be read): for printing a
// child's log.
std::string ReadFileText(const std::string &path);

// A port on 127.0.0.1 that was free a moment ago, for programs that cannot take
// port 0.
int FreeLoopbackPort();

}  // namespace linkmon::testing
