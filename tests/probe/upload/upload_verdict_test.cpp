#include "probe/upload/upload_verdict.h"

#include <gtest/gtest.h>

namespace linkmon::upload {
namespace {

using namespace std::chrono_literals;

TEST(UploadVerdictTest, StatusClasses) {
  EXPECT_EQ(VerdictForStatus(200), UploadVerdict::kAcknowledged);
  EXPECT_EQ(VerdictForStatus(202), UploadVerdict::kAcknowledged);
  EXPECT_EQ(VerdictForStatus(204), UploadVerdict::kAcknowledged);
  EXPECT_EQ(VerdictForStatus(408), UploadVerdict::kRetry);
  EXPECT_EQ(VerdictForStatus(429), UploadVerdict::kRetry);
  EXPECT_EQ(VerdictForStatus(500), UploadVerdict::kRetry);
  EXPECT_EQ(VerdictForStatus(503), UploadVerdict::kRetry);
  EXPECT_EQ(VerdictForStatus(599), UploadVerdict::kRetry);
  EXPECT_EQ(VerdictForStatus(400), UploadVerdict::kRejected);
  EXPECT_EQ(VerdictForStatus(401), UploadVerdict::kRejected);
  EXPECT_EQ(VerdictForStatus(403), UploadVerdict::kRejected);
  EXPECT_EQ(VerdictForStatus(413), UploadVerdict::kRejected);
  EXPECT_EQ(VerdictForStatus(301), UploadVerdict::kRejected);
  EXPECT_EQ(VerdictForStatus(600), UploadVerdict::kRejected);
}

TEST(UploadVerdictTest, RetryAfterSeconds) {
  const SystemTime now = std::chrono::system_clock::from_time_t(1'800'000'000);
  EXPECT_EQ(ParseRetryAfter("120", now), 120s);
  EXPECT_EQ(ParseRetryAfter(" 0 ", now), 0s);
  EXPECT_EQ(ParseRetryAfter("", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("12s", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-5", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("99999999999999999999999", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("9223372036854775807", now), 24h) << "cut to a day";
}

TEST(UploadVerdictTest, RetryAfterHttpDate) {
  // 1'800'000'000 is Fri, 15 Jan 2027 08:00:00 GMT.
  const SystemTime now = std::chrono::system_clock::from_time_t(1'800'000'000);
  EXPECT_EQ(ParseRetryAfter("Fri, 15 Jan 2027 08:01:30 GMT", now), 90s);
  EXPECT_EQ(ParseRetryAfter("Fri, 15 Jan 2027 07:00:00 GMT", now), 0s) << "past: no wait";
  EXPECT_EQ(ParseRetryAfter("Fri, 15 Jan 2027 08:01:30", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("tomorrow", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT", now), 24h) << "cut to a day";
}

}  // namespace
}  // namespace linkmon::upload
