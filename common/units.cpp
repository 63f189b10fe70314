#include "common/units.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <span>

namespace linkmon {

namespace {

struct UnitScale {
  std::string_view suffix;
  double scale;  // multiply the number by this to get the base unit
};

// Suffixes are matched whole, so "m" (minutes) never shadows "ms".
constexpr UnitScale kDurationUnits[] = {
    {"ns", 1.0},          {"us", 1e3},          {"\xC2\xB5s", 1e3},    {"ms", 1e6},
    {"s", 1e9},           {"m", 60e9},          {"h", 3600e9},         {"d", 86400e9},
};

constexpr UnitScale kBandwidthUnits[] = {
    {"Tbps", 1e12}, {"Gbps", 1e9}, {"Mbps", 1e6}, {"kbps", 1e3}, {"Kbps", 1e3}, {"bps", 1.0},
    {"Tbit", 1e12}, {"Gbit", 1e9}, {"Mbit", 1e6}, {"kbit", 1e3}, {"Kbit", 1e3}, {"bit", 1.0},
};

constexpr UnitScale kByteUnits[] = {
    {"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0}, {"TiB", 1099511627776.0},
    {"KB", 1e3},     {"kB", 1e3},        {"MB", 1e6},           {"GB", 1e9},
    {"TB", 1e12},    {"B", 1.0},
};

// Splits "12.5ms" into 12.5 and "ms". Refuses signs, exponents, hex and empty numbers: config
// values are written by people, and "1e3ms" is more likely a typo than an intent.
struct NumberAndUnit {
  double number;
  std::string_view unit;
};

std::optional<NumberAndUnit> SplitNumber(std::string_view text) {
  std::size_t end = 0;
  bool seen_digit = false;
  bool seen_dot = false;
  while (end < text.size()) {
    char c = text[end];
    if (c >= '0' && c <= '9') {
      seen_digit = true;
    } else if (c == '.' && !seen_dot) {
      seen_dot = true;
    } else {
      break;
    }
    ++end;
  }
  if (!seen_digit) return std::nullopt;
  double number = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + end, number);
  if (ec != std::errc() || ptr != text.data() + end || !std::isfinite(number)) return std::nullopt;
  return NumberAndUnit{number, text.substr(end)};
}

std::string UnitList(std::span<const UnitScale> units) {
  std::string out;
  for (const auto& unit : units) {
    if (!out.empty()) out += ", ";
    out += unit.suffix;
  }
  return out;
}

// Parses NUMBER UNIT against a table; returns the value in the base unit.
Result<double> ParseScaled(std::string_view text, std::string_view what,
                           std::span<const UnitScale> units) {
  auto split = SplitNumber(text);
  if (!split) {
    return MakeError(ErrorCode::kParse, "invalid " + std::string(what) + " '" +
                                            std::string(text) +
                                            "': expected a non-negative number and a unit (" +
                                            UnitList(units) + ")");
  }
  if (split->unit.empty()) {
    return MakeError(ErrorCode::kParse, std::string(what) + " '" + std::string(text) +
                                            "' has no unit: add one of " + UnitList(units));
  }
  for (const auto& unit : units) {
    if (unit.suffix == split->unit) return split->number * unit.scale;
  }
  return MakeError(ErrorCode::kParse, "unknown " + std::string(what) + " unit '" +
                                          std::string(split->unit) + "' in '" +
                                          std::string(text) + "': use one of " + UnitList(units));
}

// Prints a number with up to 3 decimals and no trailing zeros: 12, 12.5, 0.125.
std::string TrimmedNumber(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.3f", value);
  std::string out(buffer);
  while (!out.empty() && out.back() == '0') out.pop_back();
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

}  // namespace

Result<std::chrono::nanoseconds> ParseDuration(std::string_view text) {
  auto nanos = ParseScaled(text, "duration", kDurationUnits);
  if (!nanos) return tl::unexpected(nanos.error());
  constexpr double kMaxNanos = 100.0 * 365 * 86400e9;  // 100 years
  if (*nanos > kMaxNanos) {
    return MakeError(ErrorCode::kOutOfRange,
                     "duration '" + std::string(text) + "' is longer than 100 years");
  }
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(*nanos)));
}

Result<Ratio> ParseRatio(std::string_view text) {
  if (text.empty() || text.back() != '%') {
    auto split = SplitNumber(text);
    if (split && split->unit.empty()) {
      return MakeError(ErrorCode::kParse, "ratio '" + std::string(text) +
                                              "' has no unit: write it as a percentage, e.g. '" +
                                              std::string(text) + "%'");
    }
    return MakeError(ErrorCode::kParse, "invalid ratio '" + std::string(text) +
                                            "': expected a percentage such as '0.1%'");
  }
  auto split = SplitNumber(text.substr(0, text.size() - 1));
  if (!split || !split->unit.empty()) {
    return MakeError(ErrorCode::kParse, "invalid ratio '" + std::string(text) +
                                            "': expected a percentage such as '0.1%'");
  }
  if (split->number > 100.0) {
    return MakeError(ErrorCode::kOutOfRange,
                     "ratio '" + std::string(text) + "' is above 100%");
  }
  return Ratio{split->number / 100.0};
}

Result<Bandwidth> ParseBandwidth(std::string_view text) {
  auto bits = ParseScaled(text, "bandwidth", kBandwidthUnits);
  if (!bits) return tl::unexpected(bits.error());
  if (*bits > 1e18) {
    return MakeError(ErrorCode::kOutOfRange,
                     "bandwidth '" + std::string(text) + "' is above 1000 Pbps");
  }
  return Bandwidth{static_cast<std::uint64_t>(std::llround(*bits))};
}

Result<std::uint64_t> ParseByteSize(std::string_view text) {
  auto bytes = ParseScaled(text, "size", kByteUnits);
  if (!bytes) return tl::unexpected(bytes.error());
  if (*bytes > 4.6e18) {
    return MakeError(ErrorCode::kOutOfRange, "size '" + std::string(text) + "' is too large");
  }
  return static_cast<std::uint64_t>(std::llround(*bytes));
}

std::string FormatDuration(std::chrono::nanoseconds value) {
  const double nanos = static_cast<double>(value.count());
  const double magnitude = std::fabs(nanos);
  if (magnitude >= 1e9) return TrimmedNumber(nanos / 1e9) + "s";
  if (magnitude >= 1e6) return TrimmedNumber(nanos / 1e6) + "ms";
  if (magnitude >= 1e3) return TrimmedNumber(nanos / 1e3) + "us";
  return TrimmedNumber(nanos) + "ns";
}

std::string FormatRatio(Ratio value) { return TrimmedNumber(value.value * 100.0) + "%"; }

std::string FormatBandwidth(Bandwidth value) {
  const double bits = static_cast<double>(value.bits_per_second);
  if (bits >= 1e12) return TrimmedNumber(bits / 1e12) + "Tbps";
  if (bits >= 1e9) return TrimmedNumber(bits / 1e9) + "Gbps";
  if (bits >= 1e6) return TrimmedNumber(bits / 1e6) + "Mbps";
  if (bits >= 1e3) return TrimmedNumber(bits / 1e3) + "kbps";
  return TrimmedNumber(bits) + "bps";
}

}  // namespace linkmon
