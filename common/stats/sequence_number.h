#pragma once

// 32-bit probe sequence numbers wrap after 2^32 probes (at 1,000 probes a second, in 50 days).
// Comparisons use serial-number arithmetic (RFC 1982): a is before b when b - a, modulo 2^32, is
// in (0, 2^31). So 0xffffffff is before 0 and 0 is before 1, as long as the numbers compared are
// less than 2^31 apart, which a bounded outstanding-probe table guarantees.

#include <cstdint>

namespace linkmon::stats {

constexpr bool SequenceBefore(std::uint32_t a, std::uint32_t b) {
  return a != b && static_cast<std::uint32_t>(b - a) < (std::uint32_t{1} << 31);
}

}  // namespace linkmon::stats
