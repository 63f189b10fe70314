#include "common/units.h"

#include <gtest/gtest.h>

namespace linkmon {
namespace {

using std::chrono::nanoseconds;

TEST(ParseDurationTest, ReadsEveryUnitAndFractions) {
  EXPECT_EQ(*ParseDuration("20ms"), nanoseconds(20'000'000));
  EXPECT_EQ(*ParseDuration("0.5ms"), nanoseconds(500'000));
  EXPECT_EQ(*ParseDuration("10.5ms"), nanoseconds(10'500'000));
  EXPECT_EQ(*ParseDuration("250us"), nanoseconds(250'000));
  EXPECT_EQ(*ParseDuration("250\xC2\xB5s"), nanoseconds(250'000));
  EXPECT_EQ(*ParseDuration("100ns"), nanoseconds(100));
  EXPECT_EQ(*ParseDuration("2s"), nanoseconds(2'000'000'000));
  EXPECT_EQ(*ParseDuration("5m"), nanoseconds(300'000'000'000));
  EXPECT_EQ(*ParseDuration("1h"), nanoseconds(3'600'000'000'000));
  EXPECT_EQ(*ParseDuration("35d"), nanoseconds(35LL * 86'400'000'000'000));
  EXPECT_EQ(*ParseDuration("0s"), nanoseconds(0));
}

TEST(ParseDurationTest, RefusesMissingOrUnknownUnitsAndNegatives) {
  EXPECT_EQ(ParseDuration("20").error().message,
            "duration '20' has no unit: add one of ns, us, \xC2\xB5s, ms, s, m, h, d");
  EXPECT_EQ(ParseDuration("20 ms").error().message,
            "unknown duration unit ' ms' in '20 ms': use one of ns, us, \xC2\xB5s, ms, s, m, h, d");
  EXPECT_EQ(ParseDuration("-5ms").error().code, ErrorCode::kParse);
  EXPECT_EQ(ParseDuration("ms").error().code, ErrorCode::kParse);
  EXPECT_EQ(ParseDuration("").error().code, ErrorCode::kParse);
  EXPECT_EQ(ParseDuration("1e3ms").error().code, ErrorCode::kParse);
  EXPECT_EQ(ParseDuration("1.2.3ms").error().code, ErrorCode::kParse);
  EXPECT_EQ(ParseDuration("999999999d").error().code, ErrorCode::kOutOfRange);
}

TEST(ParseRatioTest, ReadsPercentagesOnly) {
  EXPECT_DOUBLE_EQ(ParseRatio("0.1%")->value, 0.001);
  EXPECT_DOUBLE_EQ(ParseRatio("100%")->value, 1.0);
  EXPECT_DOUBLE_EQ(ParseRatio("0%")->value, 0.0);
  EXPECT_EQ(ParseRatio("1").error().message,
            "ratio '1' has no unit: write it as a percentage, e.g. '1%'");
  EXPECT_EQ(ParseRatio("101%").error().code, ErrorCode::kOutOfRange);
  EXPECT_EQ(ParseRatio("-1%").error().code, ErrorCode::kParse);
  EXPECT_EQ(ParseRatio("%").error().code, ErrorCode::kParse);
  EXPECT_EQ(ParseRatio("1%%").error().code, ErrorCode::kParse);
}

TEST(ParseBandwidthTest, ReadsCarrierAndTcSpellings) {
  EXPECT_EQ(ParseBandwidth("1Gbps")->bits_per_second, 1'000'000'000u);
  EXPECT_EQ(ParseBandwidth("1Gbit")->bits_per_second, 1'000'000'000u);
  EXPECT_EQ(ParseBandwidth("100Mbit")->bits_per_second, 100'000'000u);
  EXPECT_EQ(ParseBandwidth("17.6Tbps")->bits_per_second, 17'600'000'000'000u);
  EXPECT_EQ(ParseBandwidth("512kbps")->bits_per_second, 512'000u);
  EXPECT_EQ(ParseBandwidth("9600bps")->bits_per_second, 9600u);
  EXPECT_EQ(ParseBandwidth("1GB").error().code, ErrorCode::kParse);
  EXPECT_EQ(ParseBandwidth("100").error().code, ErrorCode::kParse);
}

TEST(ParseByteSizeTest, ReadsBinaryAndDecimalPrefixes) {
  EXPECT_EQ(*ParseByteSize("64MiB"), 64u * 1024 * 1024);
  EXPECT_EQ(*ParseByteSize("100MB"), 100'000'000u);
  EXPECT_EQ(*ParseByteSize("4096B"), 4096u);
  EXPECT_EQ(ParseByteSize("64").error().code, ErrorCode::kParse);
  EXPECT_EQ(ParseByteSize("9999999TiB").error().code, ErrorCode::kOutOfRange);
}

TEST(FormatTest, PrintsShortestReadableForm) {
  EXPECT_EQ(FormatDuration(nanoseconds(12'000'000)), "12ms");
  EXPECT_EQ(FormatDuration(nanoseconds(250'000)), "250us");
  EXPECT_EQ(FormatDuration(nanoseconds(1'500'000'000)), "1.5s");
  EXPECT_EQ(FormatDuration(nanoseconds(0)), "0ns");
  EXPECT_EQ(FormatRatio(Ratio{0.001}), "0.1%");
  EXPECT_EQ(FormatBandwidth(Bandwidth{2'820'000'000'000}), "2.82Tbps");
}

TEST(FormatTest, FormattedValuesParseBack) {
  for (const char* text : {"12ms", "10.5ms", "1.5s", "250us", "7ns"}) {
    auto parsed = ParseDuration(text);
    ASSERT_TRUE(parsed) << text;
    EXPECT_EQ(FormatDuration(*parsed), text);
  }
}

}  // namespace
}  // namespace linkmon
