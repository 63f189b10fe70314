#include "probe/stamp/timestamp.h"

namespace linkmon::stamp {

namespace {

using std::chrono::nanoseconds;
using std::chrono::system_clock;

constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
constexpr std::int64_t kTwoTo32 = std::int64_t{1} << 32;

struct SecondsAndNanos {
  std::int64_t seconds;
  std::int64_t nanos;  // [0, 1e9)
};

SecondsAndNanos SplitUnixTime(system_clock::time_point time) {
  std::int64_t total = std::chrono::duration_cast<nanoseconds>(time.time_since_epoch()).count();
  std::int64_t seconds = total / kNanosPerSecond;
  std::int64_t nanos = total % kNanosPerSecond;
  if (nanos < 0) {  // floor division for times before 1970
    nanos += kNanosPerSecond;
    seconds -= 1;
  }
  return {seconds, nanos};
}

system_clock::time_point FromUnix(std::int64_t seconds, std::int64_t nanos) {
  return system_clock::time_point(std::chrono::duration_cast<system_clock::duration>(
      nanoseconds(seconds * kNanosPerSecond + nanos)));
}

}  // namespace

std::uint64_t ToNtp(system_clock::time_point time) {
  auto [seconds, nanos] = SplitUnixTime(time);
  auto ntp_seconds =
      static_cast<std::uint32_t>(static_cast<std::uint64_t>(seconds + kNtpToUnixSeconds));
  // nanos < 2^30, so nanos * 2^32 < 2^62: no overflow. The rounded fraction stays below 2^32
  // because 2^32 * (1 - 1e-9) is more than 4 below 2^32.
  auto fraction =
      static_cast<std::uint64_t>((nanos * kTwoTo32 + kNanosPerSecond / 2) / kNanosPerSecond);
  return (std::uint64_t{ntp_seconds} << 32) | fraction;
}

system_clock::time_point FromNtp(std::uint64_t ntp) {
  auto ntp_seconds = static_cast<std::int64_t>(ntp >> 32);
  auto fraction = static_cast<std::int64_t>(ntp & 0xffff'ffffULL);
  if ((ntp_seconds & 0x8000'0000LL) == 0) ntp_seconds += kTwoTo32;  // era 1, after 2036-02-07
  std::int64_t nanos = (fraction * kNanosPerSecond + kTwoTo32 / 2) >> 32;
  return FromUnix(ntp_seconds - kNtpToUnixSeconds, nanos);
}

std::uint64_t ToPtp(system_clock::time_point time) {
  auto [seconds, nanos] = SplitUnixTime(time);
  return (std::uint64_t{static_cast<std::uint32_t>(seconds)} << 32) |
         static_cast<std::uint32_t>(nanos);
}

system_clock::time_point FromPtp(std::uint64_t ptp) {
  auto seconds = static_cast<std::int64_t>(ptp >> 32);
  auto nanos = static_cast<std::int64_t>(ptp & 0xffff'ffffULL);
  // A nanoseconds field of 1e9 or more is malformed; carry it rather than fail, since the value
  // only feeds measurements that are range-checked later.
  return FromUnix(seconds, nanos);
}

system_clock::time_point FromWireTimestamp(std::uint64_t value, TimestampFormat format) {
  return format == TimestampFormat::kPtp ? FromPtp(value) : FromNtp(value);
}

}  // namespace linkmon::stamp
