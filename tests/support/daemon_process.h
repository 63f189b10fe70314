#pragma once

// A daemon started by a test (linkmon-probe, linkmon-collector, prometheus
// ...): spawned with its output to a log file, signalled and waited for by PID,
// and killed in the destructor if it is still running, so a failing test never
// leaves it behind.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace linkmon::testing {

class DaemonProcess {
 public:
  // Starts argv[0] (a path) with the arguments; stdout and stderr go to
  // `log_path` (appended). started() is false when the program could not be
  // spawned.
  DaemonProcess(const std::vector<std::string>& argv, std::string log_path);
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // Sends `signal` if the process still runs.
  void Signal(int signal);
  // Waits at most `timeout` for the process to exit; its exit status, or -1
  // when killed by a signal, nullopt when it still runs.
  std::optional<int> WaitForExit(std::chrono::milliseconds timeout);
  // SIGTERM, then SIGKILL after `grace`; the exit status as WaitForExit.
  std::optional<int> Stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

  // Everything the process wrote so far.
  std::string Log() const;
  // Waits at most `timeout` for `text` to appear in the log; false also when
  // the process exits.
  bool WaitForLog(const std::string& text, std::chrono::milliseconds timeout) const;

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
  std::string log_path_;
};

}  // namespace linkmon::testing
