#pragma once

// Runs the system's network tools (ip, tc, iptables-restore) for the lab. Arguments go to execvp
// as a vector, never through a shell, so a site name cannot become a command.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace linkmon::lab {

// Runs argv[0] (looked up in PATH) with `input` as its standard input (ip -batch -,
// iptables-restore) and returns what it printed on stdout and stderr. A non-zero exit is an error
// whose message holds the command line and its output. Killed (by PID) after `timeout`.
Result<std::string> RunCommand(const std::vector<std::string>& argv, std::string_view input = {},
                               std::chrono::milliseconds timeout = std::chrono::seconds(30));

// "ip -n qh3-wan -batch -" for messages.
std::string CommandLine(const std::vector<std::string>& argv);

}  // namespace linkmon::lab
