#pragma once

// Runs a real program from a test (promtool, fping, the linkmon binaries) and captures what it
// printed. Tests use the real tools rather than mocks; this is the one place that spawns them.

#include <chrono>
#include <string>
#include <vector>

namespace linkmon::testing {

struct CommandResult {
  int exit_code = -1;     // the program's exit status; -1 if it was killed or could not start
  bool timed_out = false;  // killed after `timeout`
  std::string output;      // stdout and stderr, interleaved as written
};

// Runs argv[0] (looked up in PATH) with the arguments, stdin from /dev/null, and waits for it at
// most `timeout`, killing it (SIGKILL, by PID) after that. `input`, if not empty, is written to a
// temporary file and given as stdin instead.
CommandResult RunCommand(const std::vector<std::string>& argv,
                         std::chrono::milliseconds timeout = std::chrono::seconds(60),
                         const std::string& input = "");

}  // namespace linkmon::testing
