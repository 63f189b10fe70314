#include "probe/stamp/timestamp.h"

#include <gtest/gtest.h>

namespace linkmon::stamp {
namespace {

using std::chrono::nanoseconds;
using std::chrono::seconds;
using std::chrono::system_clock;

system_clock::time_point Unix(std::int64_t secs, std::int64_t nanos = 0) {
  return system_clock::time_point(
      std::chrono::duration_cast<system_clock::duration>(seconds(secs) + nanoseconds(nanos)));
}

TEST(NtpTimestampTest, MatchesTheNtpEpochAndFraction) {
  // 2024-01-01T00:00:00.5Z: 1704067200 Unix seconds, 3913056000 (0xe93c7f00) NTP seconds.
  EXPECT_EQ(ToNtp(Unix(1'704'067'200, 500'000'000)), 0xe93c7f00'80000000ULL);
  EXPECT_EQ(ToNtp(Unix(0)), std::uint64_t{2'208'988'800} << 32);
  EXPECT_EQ(FromNtp(0xe93c7f00'80000000ULL), Unix(1'704'067'200, 500'000'000));
}

TEST(NtpTimestampTest, RoundTripsToTheNanosecond) {
  for (std::int64_t nanos : {0LL, 1LL, 232LL, 233LL, 499'999'999LL, 999'999'999LL}) {
    system_clock::time_point t = Unix(1'704'067'200, nanos);
    EXPECT_EQ(FromNtp(ToNtp(t)), t) << nanos;
  }
}

TEST(NtpTimestampTest, CrossesTheEra1BoundaryIn2036) {
  // NTP seconds wrap on 2036-02-07T06:28:16Z (Unix 2085978496).
  system_clock::time_point before = Unix(2'085'978'495, 900'000'000);
  system_clock::time_point after = Unix(2'085'978'496, 100'000'000);
  EXPECT_EQ(ToNtp(after) >> 32, 0u);
  EXPECT_EQ(FromNtp(ToNtp(before)), before);
  EXPECT_EQ(FromNtp(ToNtp(after)), after);
  EXPECT_EQ(FromNtp(ToNtp(after)) - FromNtp(ToNtp(before)), std::chrono::milliseconds(200));
}

TEST(PtpTimestampTest, IsSecondsAndNanosecondsSince1970) {
  EXPECT_EQ(ToPtp(Unix(1'704'067'200, 123'456'789)),
            (std::uint64_t{1'704'067'200} << 32) | 123'456'789);
  EXPECT_EQ(FromPtp((std::uint64_t{1'704'067'200} << 32) | 123'456'789),
            Unix(1'704'067'200, 123'456'789));
  EXPECT_EQ(FromWireTimestamp(ToPtp(Unix(5, 7)), TimestampFormat::kPtp), Unix(5, 7));
  EXPECT_EQ(FromWireTimestamp(ToNtp(Unix(5, 7)), TimestampFormat::kNtp), Unix(5, 7));
}

}  // namespace
}  // namespace linkmon::stamp
