#include "probe/reflector/reflector_options.h"

#include <gtest/gtest.h>

namespace linkmon::reflector {
namespace {

using boost::asio::ip::make_address;
using boost::asio::ip::udp;

ReflectorOptions On(const char* address) {
  ReflectorOptions options;
  options.listen = udp::endpoint(make_address(address), 862);
  return options;
}

TEST(ReflectorOptionsTest, LoopbackWithoutAllowListOrKeyIsAllowed) {
  EXPECT_TRUE(Validate(On("127.0.0.1")).has_value());
  EXPECT_TRUE(Validate(On("127.3.4.5")).has_value());
  EXPECT_TRUE(Validate(On("::1")).has_value());
  EXPECT_TRUE(Validate(On("::ffff:127.0.0.1")).has_value());
}

TEST(ReflectorOptionsTest, RefusesAnOpenReflectorOnAnyOtherAddress) {
  for (const char* address : {"0.0.0.0", "::", "10.1.2.3", "2001:db8::1"}) {
    Status status = Validate(On(address));
    ASSERT_FALSE(status.has_value()) << address;
    EXPECT_EQ(status.error().message,
              std::string("reflector: refusing to listen on ") + make_address(address).to_string() +
                  " without an allow-list or a key: anyone could use it to send traffic; set "
                  "allowed_sources or key_file, or listen on a loopback address");
  }
}

TEST(ReflectorOptionsTest, AnAllowListOrAKeyOpensOtherAddresses) {
  ReflectorOptions listed = On("0.0.0.0");
  listed.allowed_sources.push_back(*net::IpPrefix::Parse("10.0.0.0/8"));
  EXPECT_TRUE(Validate(listed).has_value());
  ReflectorOptions keyed = On("::");
  keyed.key_file = "/etc/linkmon/stamp.key";
  EXPECT_TRUE(Validate(keyed).has_value());
}

TEST(ReflectorOptionsTest, RefusesNonsensicalLimits) {
  ReflectorOptions options = On("127.0.0.1");
  options.per_source.packets_per_second = 0;
  EXPECT_EQ(Validate(options).error().message,
            "reflector: per-source rate must be a positive number of packets per second");
  options = On("127.0.0.1");
  options.global.burst = 0.5;
  EXPECT_EQ(Validate(options).error().message, "reflector: global burst must be at least 1 packet");
  options = On("127.0.0.1");
  options.max_sessions = 0;
  EXPECT_FALSE(Validate(options).has_value());
  options = On("127.0.0.1");
  options.replay_window = 32;
  EXPECT_EQ(Validate(options).error().message,
            "reflector: replay_window 32 must be from 64 to 65536 packets");
  options = On("127.0.0.1");
  options.max_packet_bytes = 70'000;
  EXPECT_FALSE(Validate(options).has_value());
  options = On("127.0.0.1");
  options.dscp = 64;
  EXPECT_EQ(Validate(options).error().message, "reflector: dscp 64 must be from 0 to 63");
}

}  // namespace
}  // namespace linkmon::reflector
