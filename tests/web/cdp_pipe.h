#pragma once

// A minimal Chrome DevTools Protocol client over --remote-debugging-pipe: Chromium reads
// commands from its fd 3 and writes answers and events to its fd 4, each message one JSON text
// followed by a NUL byte. The same transport Playwright uses for Chromium; it needs no port, no
// HTTP discovery and no WebSocket library, and nothing outside this process can reach the browser.
//
// Not thread-safe; every read has a deadline.

#include <chrono>
#include <deque>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/result.h"

namespace linkmon::testing {

class CdpPipe {
 public:
  // `to_browser` is written (the browser's fd 3), `from_browser` read (its fd 4). Takes both.
  CdpPipe(int to_browser, int from_browser);
  ~CdpPipe();
  CdpPipe(const CdpPipe&) = delete;
  CdpPipe& operator=(const CdpPipe&) = delete;

  // Sends a command (to `session_id`'s target when not empty) and waits for its answer: the
  // `result` object, or an error naming the method (protocol error, timeout, closed pipe).
  Result<nlohmann::json> Call(const std::string& method,
                              nlohmann::json params = nlohmann::json::object(),
                              const std::string& session_id = "",
                              std::chrono::milliseconds timeout = std::chrono::seconds(20));

  // Events received so far (every message without an id), oldest first; Call keeps them here.
  std::deque<nlohmann::json>& events() { return events_; }

 private:
  // Reads one message, waiting at most until `deadline`.
  Result<nlohmann::json> Read(std::chrono::steady_clock::time_point deadline);

  int to_browser_;
  int from_browser_;
  int next_id_ = 1;
  std::string buffer_;
  std::deque<nlohmann::json> events_;
};

}  // namespace linkmon::testing
