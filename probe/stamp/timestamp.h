#pragma once

// The 64-bit timestamps carried in STAMP test packets (RFC 8762 §4.2.1):
//
//   NTP format (Z = 0, the default; RFC 5905 §6):
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |            Seconds since 1900-01-01 00:00 UTC (mod 2^32)      |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                  Fraction of a second (2^-32 s)               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//   PTPv2 truncated format (Z = 1): 32-bit seconds since 1970-01-01, then 32-bit nanoseconds.
//
// linkmon always sends NTP format and reads both. Timestamps come from the system (wall) clock
// because the other end must be able to compare them for one-way delay; round-trip time only
// ever subtracts two timestamps taken by the same host, where the epoch does not matter.

#include <chrono>
#include <cstdint>

namespace linkmon::stamp {

// Which format a packet's timestamps use; travels in the Error Estimate's Z bit.
enum class TimestampFormat { kNtp, kPtp };

// Seconds from the NTP epoch (1900) to the Unix epoch (1970).
inline constexpr std::int64_t kNtpToUnixSeconds = 2'208'988'800;

// NTP 64-bit timestamp of `time`, rounded to the nearest 2^-32 s (0.23 ns).
std::uint64_t ToNtp(std::chrono::system_clock::time_point time);

// Inverse of ToNtp, to the nearest nanosecond. NTP seconds wrap in 2036 (era 1); a value with the
// top bit clear is read as era 1 (2036-2104), the same pivot SNTP uses (RFC 4330 §3), so the
// result is right from 1968 to 2104.
std::chrono::system_clock::time_point FromNtp(std::uint64_t ntp);

// PTPv2 truncated timestamp of `time`. The PTP timescale is TAI; linkmon reads and writes it as
// if it were UTC (as hosts that derive it from the system clock do), so a peer that really sends
// TAI shows a constant 37 s offset in one-way delays but correct round-trip times.
std::uint64_t ToPtp(std::chrono::system_clock::time_point time);
std::chrono::system_clock::time_point FromPtp(std::uint64_t ptp);

// Reads a wire timestamp in either format.
std::chrono::system_clock::time_point FromWireTimestamp(std::uint64_t value,
                                                        TimestampFormat format);

}  // namespace linkmon::stamp
