#pragma once

// The real build/bin/linkmon-collector, started by a test with `--config FILE`, its output in a
// log file. The guard kills the process it started (SIGKILL, by PID) when it goes, also when a test
// fails; tests stop it with SIGTERM and check its exit code where that is the point.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/collector/ingest/http_test_client.h"

extern char** environ;

namespace linkmon::collector::testing {

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class CollectorProcess {
 public:
  CollectorProcess(const std::string& config, const std::filesystem::path& log) : log_(log) {
    const std::string binary = std::string(LINKMON_BINARY_DIR) + "/bin/linkmon-collector";
    log_offset_ = std::filesystem::exists(log) ? std::filesystem::file_size(log) : 0;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<std::string> args = {binary, "--config", config};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
  }
  ~CollectorProcess() { Kill(); }
  CollectorProcess(const CollectorProcess&) = delete;
  CollectorProcess& operator=(const CollectorProcess&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // What this run logged so far (the log file may hold earlier runs).
  std::string Log() const { return ReadFile(log_).substr(log_offset_); }

  // Waits until the log holds `pattern` (a regex) `count` times; the last match's first group.
  std::optional<std::string> WaitForLog(const std::string& pattern, int count = 1,
                                        std::chrono::seconds timeout = std::chrono::seconds(20)) {
    const std::regex re(pattern);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string log = Log();
      int seen = 0;
      std::string group;
      for (auto it = std::sregex_iterator(log.begin(), log.end(), re); it != std::sregex_iterator();
           ++it) {
        ++seen;
        group = it->size() > 1 ? (*it)[1].str() : it->str();
      }
      if (seen >= count) return group;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return std::nullopt;
  }

  // The port from event=collector_listening (the config listens on 127.0.0.1:0).
  std::optional<boost::asio::ip::tcp::endpoint> WaitListening() {
    auto port = WaitForLog(R"(event=collector_listening address=127\.0\.0\.1 port=(\d+))");
    if (!port) return std::nullopt;
    return boost::asio::ip::tcp::endpoint(boost::asio::ip::address_v4::loopback(),
                                          static_cast<unsigned short>(std::stoi(*port)));
  }

  void Signal(int signal) {
    if (pid_ > 0) ::kill(pid_, signal);
  }

  // The exit code after the process ended by itself within `timeout`; nullopt otherwise (it is
  // then killed).
  std::optional<int> WaitExit(std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (pid_ > 0 && std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        if (WIFEXITED(status)) return WEXITSTATUS(status);
        return std::nullopt;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    Kill();
    return std::nullopt;
  }

  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  std::filesystem::path log_;
  std::uintmax_t log_offset_ = 0;
  pid_t pid_ = -1;
};

// GET `target`; status 0 when nothing answered.
inline ingest::testing::ClientResponse Get(const boost::asio::ip::tcp::endpoint& endpoint,
                                           const std::string& target) {
  return ingest::testing::HttpRequestTo(endpoint, boost::beast::http::verb::get, target, {}, "",
                                        std::chrono::seconds(10));
}

// Waits until GET /-/ready answers 200.
inline bool WaitReady(const boost::asio::ip::tcp::endpoint& endpoint,
                      std::chrono::seconds timeout = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (Get(endpoint, "/-/ready").status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace linkmon::collector::testing
