#include "probe/reflector/reflector_config.h"

#include <gtest/gtest.h>

namespace linkmon::reflector {
namespace {

using boost::asio::ip::make_address;

config::ReflectorSettings Settings(const char* listen) {
  config::ReflectorSettings settings;
  settings.listen = {make_address(listen), 8620};
  return settings;
}

TEST(ReflectorConfigTest, CarriesListenAllowListKeyAndLimits) {
  config::ReflectorSettings settings = Settings("0.0.0.0");
  settings.allowed_sources = {{make_address("10.20.0.0"), 16}, {make_address("2001:db8::"), 32}};
  settings.key_file = "/etc/linkmon/stamp.key";
  settings.max_packets_per_second = 200;
  settings.max_sessions = 300;
  Result<ReflectorOptions> options = ReflectorOptionsFromConfig(settings);
  ASSERT_TRUE(options.has_value()) << options.error().message;
  EXPECT_EQ(options->listen, boost::asio::ip::udp::endpoint(make_address("0.0.0.0"), 8620));
  ASSERT_EQ(options->allowed_sources.size(), 2u);
  EXPECT_EQ(options->allowed_sources[0].ToString(), "10.20.0.0/16");
  EXPECT_EQ(options->allowed_sources[1].ToString(), "2001:db8::/32");
  EXPECT_EQ(options->key_file, std::filesystem::path("/etc/linkmon/stamp.key"));
  EXPECT_EQ(options->per_source.packets_per_second, 200);
  EXPECT_EQ(options->per_source.burst, 200);
  EXPECT_EQ(options->max_sessions, 300u);
}

TEST(ReflectorConfigTest, TheDefaultWildcardListenNeedsAnAllowListOrKey) {
  Result<ReflectorOptions> options = ReflectorOptionsFromConfig(config::ReflectorSettings{});
  ASSERT_FALSE(options.has_value());
  EXPECT_NE(options.error().message.find("refusing to listen on 0.0.0.0 without an allow-list"),
            std::string::npos)
      << options.error().message;
  EXPECT_TRUE(ReflectorOptionsFromConfig(Settings("127.0.0.1")).has_value());
}

}  // namespace
}  // namespace linkmon::reflector
