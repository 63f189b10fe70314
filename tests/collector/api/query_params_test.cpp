#include "collector/api/query_params.h"

#include <array>

#include <gtest/gtest.h>

namespace linkmon::api {
namespace {

constexpr std::array<std::string_view, 3> kAllowed = {"from", "sla", "to"};

TEST(QueryParamsTest, DecodesNamesAndValues) {
  auto params = QueryParams::Parse("from=xi%6Eing&sla=a+b&&to=", kAllowed);
  ASSERT_TRUE(params) << params.error().message;
  EXPECT_EQ(params->Get("from"), "xining");
  EXPECT_EQ(params->Get("sla"), "a b");
  EXPECT_EQ(params->Get("to"), "");
  EXPECT_FALSE(QueryParams::Parse("", kAllowed)->Get("from"));
}

TEST(QueryParamsTest, RefusesUnknownRepeatedAndBadlyEscapedParameters) {
  auto unknown = QueryParams::Parse("from=x&sla_class=y", kAllowed);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message,
            "query: unknown parameter 'sla_class' (this endpoint takes: from, sla, to)");
  auto twice = QueryParams::Parse("from=x&from=y", kAllowed);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().message, "query: parameter 'from' given more than once");
  EXPECT_FALSE(QueryParams::Parse("from=%4", kAllowed));
  EXPECT_FALSE(QueryParams::Parse("from=%zz", kAllowed));
  EXPECT_FALSE(QueryParams::Parse("from=%", kAllowed));
}

TEST(TimeParamTest, AcceptsUnixSecondsAndRfc3339Utc) {
  const SystemTime expected(std::chrono::seconds(1767225600));
  EXPECT_EQ(ParseTimeParam("from", "1767225600"), expected);
  EXPECT_EQ(ParseTimeParam("from", "2026-01-01T00:00:00Z"), expected);
  EXPECT_EQ(ParseTimeParam("from", "2026-01-01T00:01:05Z"), expected + std::chrono::seconds(65));
  EXPECT_EQ(FormatTime(expected + std::chrono::milliseconds(65'900)), "2026-01-01T00:01:05Z");
  EXPECT_EQ(FormatTime(ParseTimeParam("to", "9223372036").value()), "2262-04-11T23:47:16Z");
  EXPECT_EQ(ParseTimeParam("to", "2262-04-11T23:47:16Z").value(),
            ParseTimeParam("to", "9223372036").value());
}

TEST(TimeParamTest, RefusesEverythingElseNamingTheParameter) {
  for (const char* bad :
       {"", "yesterday", "2026-01-01", "2026-02-30T00:00:00Z", "2026-01-01T24:00:00Z",
        "2026-01-01T00:00:00+08:00", "-5", "99999999999999999999", "1e9",
        // a sign where a field's digits belong: not 2025-12-31T23:00:00Z
        "2026-01-01T-1:00:00Z", "2026-01-01T00:-1:00Z", "2026-01-01T00:00:-1Z",
        "2026-01-01T00:00:-0Z", "2026-01-01T+1:00:00Z",
        // past 2262-04-11T23:47:16Z, the last second a time point of 64-bit nanoseconds holds
        "9223372037", "253402300799", "2262-04-12T00:00:00Z", "9999-12-31T23:59:59Z"}) {
    auto parsed = ParseTimeParam("to", bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().message.rfind("to: expected Unix seconds or 2026-01-01T00:00:00Z", 0),
              0u)
        << parsed.error().message;
  }
}

}  // namespace
}  // namespace linkmon::api
