#include "tests/support/daemon_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

extern char** environ;

namespace linkmon::testing {

using namespace std::chrono_literals;

DaemonProcess::DaemonProcess(const DaemonProcessOptions& options) : log_path_(options.log_path) {
  std::error_code ignored;
  log_offset_ = std::filesystem::exists(log_path_, ignored)
                    ? std::filesystem::file_size(log_path_, ignored)
                    : 0;
  std::vector<char*> args;
  for (const std::string& arg : options.argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  for (const auto& [parent_fd, child_fd] : options.inherit_fds) {
    posix_spawn_file_actions_adddup2(&actions, parent_fd, child_fd);
  }
  pid_t pid = -1;
  if (args.size() > 1 &&
      posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ) == 0) {
    pid_ = pid;
  }
  posix_spawn_file_actions_destroy(&actions);
}

DaemonProcess::~DaemonProcess() { Kill(); }

void DaemonProcess::Signal(int signal) {
  if (pid_ > 0 && !exit_status_) ::kill(pid_, signal);
}

std::optional<int> DaemonProcess::WaitForExit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0 || exit_status_) return exit_status_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      return exit_status_;
    }
    if (done < 0 || std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(10ms);
  }
}

std::optional<int> DaemonProcess::Stop(std::chrono::milliseconds grace) {
  Signal(SIGTERM);
  if (auto status = WaitForExit(grace)) return status;
  Kill();
  return std::nullopt;
}

void DaemonProcess::Kill() {
  if (pid_ <= 0 || exit_status_) return;
  ::kill(pid_, SIGKILL);
  WaitForExit(10s);
}

std::string DaemonProcess::Log() const {
  std::ifstream in(log_path_);
  std::ostringstream content;
  content << in.rdbuf();
  const std::string text = content.str();
  return log_offset_ < text.size() ? text.substr(log_offset_) : std::string();
}

bool DaemonProcess::Exited() const {
  if (pid_ <= 0 || exit_status_) return true;
  // Peek without reaping: WNOWAIT leaves the zombie for WaitForExit.
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == pid_;
}

std::optional<std::string> DaemonProcess::WaitForLog(const std::string& pattern,
                                                     std::chrono::milliseconds timeout,
                                                     int count) const {
  const std::regex re(pattern);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    // Read the log before asking whether the process ended, so its last words count.
    const bool exited = Exited();
    const std::string log = Log();
    int seen = 0;
    std::string last;
    for (auto it = std::sregex_iterator(log.begin(), log.end(), re); it != std::sregex_iterator();
         ++it) {
      ++seen;
      last = it->size() > 1 ? (*it)[1].str() : it->str();
    }
    if (seen >= count) return last;
    if (exited || std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(20ms);
  }
}

}  // namespace linkmon::testing
