#include "common/logging.h"

#include <cstdio>

#include <spdlog/sinks/stdout_sinks.h>

namespace linkmon {

std::optional<spdlog::level::level_enum> ParseLogLevel(std::string_view name) {
  if (name == "trace") return spdlog::level::trace;
  if (name == "debug") return spdlog::level::debug;
  if (name == "info") return spdlog::level::info;
  if (name == "warn") return spdlog::level::warn;
  if (name == "error") return spdlog::level::err;
  if (name == "off") return spdlog::level::off;
  return std::nullopt;
}

void ConfigureLogging(spdlog::level::level_enum level) {
  auto logger = std::make_shared<spdlog::logger>(
      "linkmon", std::make_shared<spdlog::sinks::stderr_sink_st>());
  // %l prints "warning"/"critical"; short names read better in key=value.
  logger->set_pattern("ts=%Y-%m-%dT%H:%M:%S.%fZ level=%^%l%$ %v", spdlog::pattern_time_type::utc);
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

std::string KvQuote(std::string_view value) {
  bool safe = !value.empty();
  for (unsigned char c : value) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7f) {
      safe = false;
      break;
    }
  }
  if (safe) return std::string(value);
  std::string out = "\"";
  for (unsigned char c : value) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < ' ' || c == 0x7f) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\x%02x", c);
          out += buffer;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace linkmon
