#pragma once

// One line per event, key=value, for both daemons and the lab:
//   ts=2026-11-23T13:26:34.123456Z level=warn event=batch_rejected probe=xining reason=auth
// Messages are written as "event=NAME key=value ..."; KvQuote() quotes a value that holds spaces,
// quotes or '=' so that a line always splits back into the same pairs.

#include <optional>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

namespace linkmon {

// "trace", "debug", "info", "warn", "error", "off".
std::optional<spdlog::level::level_enum> ParseLogLevel(std::string_view name);

// Sends log lines to stderr in the key=value format at the given level.
void ConfigureLogging(spdlog::level::level_enum level);

// Returns `value` as is when it is safe unquoted, otherwise in double quotes with '"' and '\'
// escaped and control characters written as \n, \t or \xNN.
std::string KvQuote(std::string_view value);

}  // namespace linkmon
