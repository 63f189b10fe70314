#pragma once

// The real build/bin/linkmon-collector, started by a test with `--config FILE`, its output in a
// log file (tests/support/daemon_process.h: killed by PID when it goes, also when a test fails);
// tests stop it with SIGTERM and check its exit code where that is the point.

#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/collector/ingest/http_test_client.h"
#include "tests/support/daemon_process.h"

namespace linkmon::collector::testing {

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class CollectorProcess : public linkmon::testing::DaemonProcess {
 public:
  CollectorProcess(const std::string& config, const std::filesystem::path& log)
      : DaemonProcess(
            {std::string(LINKMON_BINARY_DIR) + "/bin/linkmon-collector", "--config", config},
            log.string()) {}

  // The port from event=collector_listening (the config listens on 127.0.0.1:0).
  std::optional<boost::asio::ip::tcp::endpoint> WaitListening() {
    auto port = WaitForLog(R"(event=collector_listening address=127\.0\.0\.1 port=(\d+))");
    if (!port) return std::nullopt;
    return boost::asio::ip::tcp::endpoint(boost::asio::ip::address_v4::loopback(),
                                          static_cast<unsigned short>(std::stoi(*port)));
  }
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
