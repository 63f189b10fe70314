#include "config/shared_setting.h"

#include <string>

#include <gtest/gtest.h>

#include "config/config.h"

namespace linkmon::config {
namespace {

TEST(SharedSettingTest, AbsentByDefaultAndFromNullopt) {
  SharedSetting<DnsSettings> absent;
  EXPECT_FALSE(absent.has_value());
  EXPECT_FALSE(absent);
  SharedSetting<DnsSettings> cleared = std::nullopt;
  EXPECT_FALSE(cleared);
}

TEST(SharedSettingTest, ReadsLikeAnOptional) {
  SharedSetting<DnsSettings> dns = DnsSettings{.query = "hub.example", .port = 5353};
  ASSERT_TRUE(dns);
  EXPECT_EQ(dns->query, "hub.example");
  EXPECT_EQ((*dns).port, 5353);
}

TEST(SharedSettingTest, CopiesShareOneValue) {
  SharedSetting<DnsSettings> dns = DnsSettings{.query = "hub.example", .port = 53};
  SharedSetting<DnsSettings> copy = dns;
  EXPECT_EQ(&*copy, &*dns);
}

// What the type is for: a Target without DNS, throughput or passive settings carries 16 bytes
// for each instead of the whole value.
TEST(SharedSettingTest, SmallerThanTheOptionalItReplaces) {
  EXPECT_LT(sizeof(SharedSetting<PassiveSettings>), sizeof(std::optional<PassiveSettings>));
  EXPECT_LE(sizeof(SharedSetting<DnsSettings>), 16u);
}

}  // namespace
}  // namespace linkmon::config
