#include "probe/net/ip_prefix.h"

#include <gtest/gtest.h>

namespace linkmon::net {
namespace {

using boost::asio::ip::make_address;

TEST(IpPrefixTest, MatchesIpv4PrefixesOfEveryLength) {
  IpPrefix prefix = *IpPrefix::Parse("10.20.0.0/16");
  EXPECT_TRUE(prefix.Contains(make_address("10.20.0.1")));
  EXPECT_TRUE(prefix.Contains(make_address("10.20.255.255")));
  EXPECT_FALSE(prefix.Contains(make_address("10.21.0.1")));
  EXPECT_TRUE(IpPrefix::Parse("10.20.16.0/20")->Contains(make_address("10.20.31.9")));
  EXPECT_FALSE(IpPrefix::Parse("10.20.16.0/20")->Contains(make_address("10.20.32.0")));
  EXPECT_TRUE(IpPrefix::Parse("0.0.0.0/0")->Contains(make_address("192.0.2.1")));
  EXPECT_FALSE(IpPrefix::Parse("0.0.0.0/0")->Contains(make_address("2001:db8::1")));
}

TEST(IpPrefixTest, BareAddressIsAHostPrefix) {
  IpPrefix host = *IpPrefix::Parse("127.0.0.1");
  EXPECT_EQ(host.length(), 32);
  EXPECT_EQ(host.ToString(), "127.0.0.1/32");
  EXPECT_TRUE(host.Contains(make_address("127.0.0.1")));
  EXPECT_FALSE(host.Contains(make_address("127.0.0.2")));
  EXPECT_EQ(IpPrefix::Parse("::1")->ToString(), "::1/128");
}

TEST(IpPrefixTest, MatchesIpv6AndIpv4MappedSources) {
  IpPrefix v6 = *IpPrefix::Parse("2001:db8:40::/42");
  EXPECT_TRUE(v6.Contains(make_address("2001:db8:7f::1")));
  EXPECT_FALSE(v6.Contains(make_address("2001:db8:80::1")));
  EXPECT_FALSE(v6.Contains(make_address("10.0.0.1")));
  // A dual-stack socket reports IPv4 senders as ::ffff:a.b.c.d.
  EXPECT_TRUE(IpPrefix::Parse("10.0.0.0/8")->Contains(make_address("::ffff:10.1.2.3")));
  EXPECT_EQ(IpPrefix::Parse("::ffff:10.0.0.0/104")->ToString(), "10.0.0.0/8");
  EXPECT_EQ(IpPrefix::Parse("::ffff:10.0.0.0/8").error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(AnyContains({*IpPrefix::Parse("10.0.0.0/8"), v6}, make_address("2001:db8:40::9")));
  EXPECT_FALSE(AnyContains({}, make_address("10.0.0.1")));
}

TEST(IpPrefixTest, RefusesMalformedPrefixesWithSpecificMessages) {
  EXPECT_EQ(IpPrefix::Parse("10.0.0.1/8").error().message,
            "prefix '10.0.0.1/8': bits are set after the first 8; did you mean a different "
            "network?");
  EXPECT_EQ(IpPrefix::Parse("10.0.0.0/33").error().message,
            "prefix '10.0.0.0/33': length must be a number from 0 to 32");
  EXPECT_EQ(IpPrefix::Parse("2001:db8::/129").error().message,
            "prefix '2001:db8::/129': length must be a number from 0 to 128");
  EXPECT_EQ(IpPrefix::Parse("10.0.0.0/").error().code, ErrorCode::kParse);
  EXPECT_EQ(IpPrefix::Parse("10.0.0.0/8x").error().code, ErrorCode::kParse);
  EXPECT_EQ(IpPrefix::Parse("example.net/8").error().message,
            "prefix 'example.net/8': 'example.net' is not an IP address");
  EXPECT_EQ(IpPrefix::Parse("").error().code, ErrorCode::kParse);
}

}  // namespace
}  // namespace linkmon::net
