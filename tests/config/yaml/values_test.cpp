#include "config/yaml/values.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "config/yaml/parse.h"

namespace linkmon::config::yaml {
namespace {

using ::testing::ElementsAre;
using namespace std::chrono_literals;

// Parses "v: <text>" and reads the value with `reader`; returns the value and the diagnostics.
template <typename Reader>
auto ReadValue(std::string_view text, const Reader& reader) {
  Diagnostics diagnostics;
  auto root = ParseYaml("v: " + std::string(text) + "\n", "v.yaml", diagnostics);
  EXPECT_TRUE(root.has_value());
  auto value = reader(*root->Find("v"), diagnostics, "v");
  return std::make_pair(value, diagnostics.SortedStrings());
}

TEST(StringValueTest, ReadsScalarsAndRefusesEmptyAndStructures) {
  EXPECT_EQ(ReadValue("Xining DC", StringValue{}).first, "Xining DC");
  EXPECT_THAT(ReadValue("\"\"", StringValue{}).second,
              ElementsAre("v.yaml:1:4: v: must not be empty"));
  EXPECT_EQ(ReadValue("\"\"", StringValue{.allow_empty = true}).first, "");
  EXPECT_THAT(ReadValue("{a: 1}", StringValue{}).second,
              ElementsAre("v.yaml:1:4: v: expected a string, got a mapping"));
  EXPECT_THAT(ReadValue("", StringValue{}).second,
              ElementsAre("v.yaml:1:1: v: expected a string, got an empty value"));
}

TEST(BoolValueTest, AcceptsOnlyTrueAndFalse) {
  EXPECT_EQ(ReadValue("true", BoolValue{}).first, true);
  EXPECT_EQ(ReadValue("false", BoolValue{}).first, false);
  EXPECT_THAT(ReadValue("yes", BoolValue{}).second,
              ElementsAre("v.yaml:1:4: v: expected true or false, got 'yes'"));
}

TEST(IntegerValueTest, ChecksSyntaxAndRange) {
  const IntegerValue<int> dscp{.min = 0, .max = 63};
  EXPECT_EQ(ReadValue("46", dscp).first, 46);
  EXPECT_THAT(ReadValue("64", dscp).second,
              ElementsAre("v.yaml:1:4: v: 64 is above the maximum of 63"));
  EXPECT_THAT(ReadValue("-1", dscp).second,
              ElementsAre("v.yaml:1:4: v: -1 is below the minimum of 0"));
  EXPECT_THAT(ReadValue("5.5", dscp).second,
              ElementsAre("v.yaml:1:4: v: expected an integer, got '5.5'"));
  EXPECT_THAT(ReadValue("0x10", dscp).second,
              ElementsAre("v.yaml:1:4: v: expected an integer, got '0x10'"));
  EXPECT_THAT(ReadValue("99999999999999999999", dscp).second,
              ElementsAre("v.yaml:1:4: v: 99999999999999999999 is out of range [0, 63]"));
}

TEST(DurationValueTest, NeedsAUnitAndChecksBounds) {
  const DurationValue interval{.min = 1ms, .max = 1h};
  EXPECT_EQ(ReadValue("20ms", interval).first, 20ms);
  EXPECT_THAT(ReadValue("20", interval).second,
              ElementsAre("v.yaml:1:4: v: duration '20' has no unit: add one of ns, us, "
                          "\xC2\xB5s, ms, s, m, h, d"));
  EXPECT_THAT(ReadValue("0s", interval).second,
              ElementsAre("v.yaml:1:4: v: 0s is below the minimum of 1ms"));
  EXPECT_THAT(ReadValue("2h", interval).second,
              ElementsAre("v.yaml:1:4: v: 2h is above the maximum of 1h"));
}

TEST(RatioBandwidthSizeTest, ReadUnits) {
  EXPECT_DOUBLE_EQ(ReadValue("0.1%", RatioValue{}).first->value, 0.001);
  EXPECT_THAT(ReadValue("0.1", RatioValue{}).second,
              ElementsAre("v.yaml:1:4: v: ratio '0.1' has no unit: write it as a percentage, "
                          "e.g. '0.1%'"));
  EXPECT_EQ(ReadValue("1Gbps", BandwidthValue{}).first->bits_per_second, 1'000'000'000u);
  EXPECT_THAT(ReadValue("10Mbps", BandwidthValue{.min = Bandwidth{100'000'000}}).second,
              ElementsAre("v.yaml:1:4: v: 10Mbps is below the minimum of 100Mbps"));
  EXPECT_EQ(ReadValue("64MiB", ByteSizeValue{}).first, 64u * 1024 * 1024);
  EXPECT_THAT(ReadValue("10B", ByteSizeValue{.min = 64}).second,
              ElementsAre("v.yaml:1:4: v: 10B is below the minimum of 64 bytes"));
}

TEST(NameValueTest, UsesTheIdsRules) {
  EXPECT_EQ(ReadValue("xining", NameValue<SiteTag>{}).first->str(), "xining");
  EXPECT_THAT(ReadValue("Xining", NameValue<SiteTag>{}).second,
              ElementsAre("v.yaml:1:4: v: site name 'Xining' must be 1-63 characters of a-z, 0-9, "
                          "'_' or '-', starting with a letter or digit"));
}

TEST(IpValueTest, ReadsAddressesAndPrefixes) {
  EXPECT_EQ(ReadValue("192.0.2.10", IpAddressValue{}).first->to_string(), "192.0.2.10");
  EXPECT_EQ(ReadValue("\"2001:db8::1\"", IpAddressValue{}).first->to_string(), "2001:db8::1");
  EXPECT_THAT(ReadValue("192.0.2.300", IpAddressValue{}).second,
              ElementsAre("v.yaml:1:4: v: invalid IP address '192.0.2.300'"));

  auto prefix = ReadValue("198.51.100.0/24", IpPrefixValue{}).first;
  ASSERT_TRUE(prefix);
  EXPECT_EQ(prefix->length, 24);
  EXPECT_TRUE(prefix->Contains(boost::asio::ip::make_address("198.51.100.77")));
  EXPECT_FALSE(prefix->Contains(boost::asio::ip::make_address("198.51.101.1")));
  EXPECT_FALSE(prefix->Contains(boost::asio::ip::make_address("2001:db8::1")));
  auto v6 = ReadValue("2001:db8::/32", IpPrefixValue{}).first;
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->Contains(boost::asio::ip::make_address("2001:db8:ffff::1")));
  EXPECT_EQ(ReadValue("203.0.113.9", IpPrefixValue{}).first->ToString(), "203.0.113.9/32");
  EXPECT_THAT(ReadValue("192.0.2.1/24", IpPrefixValue{}).second,
              ElementsAre("v.yaml:1:4: v: prefix '192.0.2.1/24' has host bits set; did you mean "
                          "'192.0.2.0/24'?"));
  EXPECT_THAT(ReadValue("192.0.2.0/33", IpPrefixValue{}).second,
              ElementsAre("v.yaml:1:4: v: invalid prefix length in '192.0.2.0/33': expected 0 to "
                          "32"));
}

TEST(SocketAddressValueTest, ReadsV4AndBracketedV6) {
  auto v4 = ReadValue("0.0.0.0:9100", SocketAddressValue{}).first;
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->port, 9100);
  EXPECT_EQ(v4->ToString(), "0.0.0.0:9100");
  auto v6 = ReadValue("\"[::1]:862\"", SocketAddressValue{}).first;
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->ToString(), "[::1]:862");
  EXPECT_THAT(ReadValue("\"::1:862\"", SocketAddressValue{}).second,
              ElementsAre("v.yaml:1:4: v: invalid address '::1:862': write an IPv6 address in "
                          "brackets, such as '[::1]:9100'"));
  EXPECT_THAT(ReadValue("localhost:80", SocketAddressValue{}).second,
              ElementsAre("v.yaml:1:4: v: invalid address 'localhost:80': 'localhost' is not an "
                          "IP address"));
  EXPECT_THAT(ReadValue("127.0.0.1:70000", SocketAddressValue{}).second,
              ElementsAre("v.yaml:1:4: v: invalid address '127.0.0.1:70000': port must be a "
                          "number from 0 to 65535"));
}

TEST(EnumValueTest, SuggestsTheNearestChoice) {
  enum class Colour { kRed, kGreen };
  const EnumValue<Colour> colour{{{"red", Colour::kRed}, {"green", Colour::kGreen}}};
  EXPECT_EQ(ReadValue("green", colour).first, Colour::kGreen);
  EXPECT_THAT(ReadValue("gren", colour).second,
              ElementsAre("v.yaml:1:4: v: unknown value 'gren'; did you mean 'green'?"));
  EXPECT_THAT(ReadValue("blue", colour).second,
              ElementsAre("v.yaml:1:4: v: unknown value 'blue'; expected one of: red, green"));
}

TEST(ReadSequenceTest, ReadsItemsAndNamesBadOnesByIndex) {
  Diagnostics diagnostics;
  auto root = ParseYaml("v: [1ms, 2, 3ms]\nw: 5ms\n", "s.yaml", diagnostics);
  ASSERT_TRUE(root);
  auto values = ReadSequence(*root->Find("v"), diagnostics, "v", DurationValue{});
  ASSERT_TRUE(values);
  EXPECT_THAT(*values, ElementsAre(1ms, 3ms));
  EXPECT_FALSE(ReadSequence(*root->Find("w"), diagnostics, "w", DurationValue{}));
  EXPECT_THAT(diagnostics.SortedStrings(),
              ElementsAre("s.yaml:1:10: v[1]: duration '2' has no unit: add one of ns, us, "
                          "\xC2\xB5s, ms, s, m, h, d",
                          "s.yaml:2:4: w: expected a sequence, got a scalar"));
}

}  // namespace
}  // namespace linkmon::config::yaml

namespace linkmon::config::yaml {
namespace {

TEST(FormatConfigTest, WritesValuesAsPeopleWriteThem) {
  using namespace std::chrono_literals;
  EXPECT_EQ(FormatConfigDuration(24h * 35), "35d");
  EXPECT_EQ(FormatConfigDuration(2h), "2h");
  EXPECT_EQ(FormatConfigDuration(90min), "90m");
  EXPECT_EQ(FormatConfigDuration(90s), "90s");
  EXPECT_EQ(FormatConfigDuration(1500us), "1.5ms");
  EXPECT_EQ(FormatConfigByteSize(256u << 20), "256MiB");
  EXPECT_EQ(FormatConfigByteSize(1536), "1536 bytes");
  EXPECT_EQ(FormatConfigByteSize(1), "1 byte");
}

}  // namespace
}  // namespace linkmon::config::yaml
