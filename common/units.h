#pragma once

// Values with units, as operators write them in config files and on command lines: durations
// ("20ms", "0.5ms", "1s"), ratios ("0.1%"), bandwidths ("1Gbps", "100Mbit") and byte sizes
// ("64MiB"). A value without its unit is refused rather than guessed: "20" could be seconds or
// milliseconds, and a wrong guess silently changes an SLA by a factor of a thousand.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace linkmon {

// A data rate in bits per second (SI prefixes: 1 Gbps = 10^9 bit/s, as carriers sell circuits).
struct Bandwidth {
  std::uint64_t bits_per_second = 0;
  auto operator<=>(const Bandwidth&) const = default;
};

// A loss ratio or similar fraction in [0, 1]; written with a percent sign in config.
struct Ratio {
  double value = 0.0;
  auto operator<=>(const Ratio&) const = default;
};

// "1.5ms", "20ms", "250us" (or "250µs"), "100ns", "2s", "5m", "1h", "35d". Non-negative, finite,
// at most 100 years; rounded to the nearest nanosecond.
Result<std::chrono::nanoseconds> ParseDuration(std::string_view text);

// "0.1%" -> 0.001. Between 0% and 100%.
Result<Ratio> ParseRatio(std::string_view text);

// "1Gbps", "1Gbit", "100Mbit", "17.6Tbps", "512kbps", "9600bps" (tc's "bit" spellings too).
Result<Bandwidth> ParseBandwidth(std::string_view text);

// "64MiB", "1GiB", "512KiB", "100MB", "4096B". At most 2^62 bytes.
Result<std::uint64_t> ParseByteSize(std::string_view text);

// Shortest readable form for messages: "12ms", "250us", "1.5s", "0ns".
std::string FormatDuration(std::chrono::nanoseconds value);
// "0.1%"
std::string FormatRatio(Ratio value);
// "1Gbps", "2.82Tbps"
std::string FormatBandwidth(Bandwidth value);

}  // namespace linkmon
