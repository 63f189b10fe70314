#pragma once

// A daemon started by a test (linkmon-probe, linkmon-collector, prometheus, alertmanager,
// chromium ...): spawned with its output appended to a log file, signalled and waited for by PID,
// and killed (SIGKILL) when the object goes if it still runs, so a failing test never leaves it
// behind. Never stopped by name.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace linkmon::testing {

struct DaemonProcessOptions {
  std::vector<std::string> argv;  // argv[0]: a path, or a name looked up in PATH
  std::string log_path;           // stdout and stderr appended here
  // Extra descriptors for the child: (parent_fd, child_fd) makes child_fd a copy of the parent's
  // parent_fd (pipes to a browser's DevTools, say).
  std::vector<std::pair<int, int>> inherit_fds = {};
};

class DaemonProcess {
 public:
  // Starts argv[0] with the arguments; stdout and stderr go to `log_path` (appended: the log may
  // hold earlier runs, Log() shows this one's). started() is false when it could not be spawned.
  explicit DaemonProcess(const DaemonProcessOptions& options);
  DaemonProcess(const std::vector<std::string>& argv, std::string log_path)
      : DaemonProcess(DaemonProcessOptions{.argv = argv, .log_path = std::move(log_path)}) {}
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // True while the process has not exited.
  bool Running() const { return !Exited(); }

  // Sends `signal` if the process still runs.
  void Signal(int signal);
  // Waits at most `timeout` for the process to exit; its exit status, or -1 when killed by a
  // signal, nullopt when it still runs.
  std::optional<int> WaitForExit(std::chrono::milliseconds timeout);
  // SIGTERM, then SIGKILL after `grace`; the exit status as WaitForExit, nullopt if killed.
  std::optional<int> Stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
  // SIGKILL and reap, if it still runs.
  void Kill();

  // What this run wrote so far.
  std::string Log() const;
  const std::string& log_path() const { return log_path_; }
  // Waits at most `timeout` for `count` matches of the regex `pattern` in the log; the last
  // match's first group (or the whole match). nullopt on timeout or when the process exits first.
  std::optional<std::string> WaitForLog(
      const std::string& pattern, std::chrono::milliseconds timeout = std::chrono::seconds(20),
      int count = 1) const;

 private:
  bool Exited() const;

  pid_t pid_ = -1;
  std::optional<int> exit_status_;
  std::string log_path_;
  std::uintmax_t log_offset_ = 0;
};

}  // namespace linkmon::testing
