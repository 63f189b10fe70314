#include "common/stats/rfc3550_jitter.h"

#include <algorithm>

namespace linkmon::stats {

namespace {

// 2^56 ns is 2.3 years; 16 times that still fits in 64 bits.
constexpr std::int64_t kMaxDifferenceNs = std::int64_t{1} << 56;

}  // namespace

void Rfc3550Jitter::Update(std::chrono::nanoseconds transit_difference) {
  std::int64_t d = transit_difference.count();
  // |d| without overflowing on INT64_MIN.
  d = d < 0 ? (d < -kMaxDifferenceNs ? kMaxDifferenceNs : -d) : std::min(d, kMaxDifferenceNs);
  // RFC 3550 A.8: jitter += d - ((jitter + 8) >> 4), the scaled form of J += (|D| - J) / 16.
  scaled_ += d - ((scaled_ + 8) >> 4);
}

std::chrono::nanoseconds Rfc3550Jitter::Value() const {
  return std::chrono::nanoseconds(scaled_ >> 4);
}

}  // namespace linkmon::stats
