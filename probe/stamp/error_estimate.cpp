#include "probe/stamp/error_estimate.h"

#include <cmath>
#include <limits>

namespace linkmon::stamp {

namespace {

constexpr std::uint16_t kSynchronizedBit = 0x8000;
constexpr std::uint16_t kPtpFormatBit = 0x4000;
constexpr int kMaxScale = 63;
constexpr int kMaxMultiplier = 255;

}  // namespace

ErrorEstimate ErrorEstimate::FromWire(std::uint16_t bits) {
  return ErrorEstimate{
      .synchronized = (bits & kSynchronizedBit) != 0,
      .format = (bits & kPtpFormatBit) != 0 ? TimestampFormat::kPtp : TimestampFormat::kNtp,
      .scale = static_cast<std::uint8_t>((bits >> 8) & 0x3f),
      .multiplier = static_cast<std::uint8_t>(bits & 0xff),
  };
}

std::uint16_t ErrorEstimate::ToWire() const {
  std::uint16_t bits = static_cast<std::uint16_t>(((scale & 0x3f) << 8) | multiplier);
  if (synchronized) bits |= kSynchronizedBit;
  if (format == TimestampFormat::kPtp) bits |= kPtpFormatBit;
  return bits;
}

ErrorEstimate ErrorEstimate::ForError(std::chrono::nanoseconds error, bool synchronized) {
  ErrorEstimate estimate{.synchronized = synchronized};
  // The error in units of 2^-32 s; find the smallest scale whose multiplier fits in 8 bits.
  double units = std::ldexp(static_cast<double>(error.count()) * 1e-9, 32);
  for (int scale = 0; scale <= kMaxScale; ++scale) {
    double multiplier = std::ceil(std::ldexp(units, -scale));
    if (multiplier <= kMaxMultiplier) {
      estimate.scale = static_cast<std::uint8_t>(scale);
      estimate.multiplier = static_cast<std::uint8_t>(multiplier < 1 ? 1 : multiplier);
      return estimate;
    }
  }
  estimate.scale = kMaxScale;
  estimate.multiplier = kMaxMultiplier;
  return estimate;
}

std::optional<std::chrono::nanoseconds> ErrorEstimate::Error() const {
  if (multiplier == 0) return std::nullopt;
  double nanos = std::ceil(std::ldexp(static_cast<double>(multiplier), scale - 32) * 1e9);
  constexpr auto kMax = std::numeric_limits<std::chrono::nanoseconds::rep>::max();
  if (nanos >= static_cast<double>(kMax)) return std::chrono::nanoseconds::max();
  return std::chrono::nanoseconds(static_cast<std::chrono::nanoseconds::rep>(nanos));
}

}  // namespace linkmon::stamp
