#pragma once

// Talks to a running emulator over its control socket (LabPaths::control_socket): one JSON request
// per connection, terminated by a newline, answered by one JSON reply, after which the emulator
// closes the connection.
//
//   {"command": "show"}
//     -> {"ok": true, "lab": "qh3", "pid": 1234, "wake_lead_ns": 21000, "overruns": 0,
//         "directions": [{"from": "xining", "to": "beijing", "queue": 0, "properties": {...},
//                         "counters": {...}}, ...]}
//   {"command": "set", "from": "xining", "to": "beijing", "settings": {"delay": "20ms"}}
//     -> {"ok": true, "properties": {...}}  or  {"ok": false, "error": "..."}

#include <chrono>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace linkmon::lab {

inline constexpr std::size_t kMaxControlRequestBytes = 64 * 1024;

Result<nlohmann::json> ControlRequest(const std::filesystem::path& socket_path,
                                      const nlohmann::json& request,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace linkmon::lab
