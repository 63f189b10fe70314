#pragma once

// The Error Estimate field of STAMP packets (RFC 8762 §4.2.1, defined in RFC 4656 §4.1.2):
//
//    0                   1
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |S|Z|   Scale   |   Multiplier  |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// S = 1: the sender's clock is synchronized to UTC by an external source. One-way delays are
// reported only when both ends set it (a peer exports -2.6 s one-way delays because it does not).
// Z: timestamp format, 0 = NTP, 1 = PTPv2 truncated (RFC 8762 §4.2.1).
// Error, in seconds = Multiplier * 2^(Scale - 32); Multiplier must not be zero.

#include <chrono>
#include <cstdint>
#include <optional>

#include "probe/stamp/timestamp.h"

namespace linkmon::stamp {

struct ErrorEstimate {
  bool synchronized = false;                       // S
  TimestampFormat format = TimestampFormat::kNtp;  // Z
  std::uint8_t scale = 0;                          // 6 bits, 0..63
  std::uint8_t multiplier = 1;                     // 8 bits, 1..255

  // Every 16-bit value maps to one ErrorEstimate and back, so a reflector copying the sender's
  // field through FromWire/ToWire returns the same bits.
  static ErrorEstimate FromWire(std::uint16_t bits);
  std::uint16_t ToWire() const;

  // The smallest representable estimate that is at least `error` (error <= 0 gives the smallest,
  // 2^-32 s; errors beyond the field's range saturate at 255 * 2^31 s).
  static ErrorEstimate ForError(std::chrono::nanoseconds error, bool synchronized);

  // The stated error, rounded up to whole nanoseconds; nullopt when Multiplier is 0, which RFC
  // 4656 forbids, so the peer gave no usable estimate. Saturates at nanoseconds::max().
  std::optional<std::chrono::nanoseconds> Error() const;

  bool operator==(const ErrorEstimate&) const = default;
};

}  // namespace linkmon::stamp
