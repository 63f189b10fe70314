#include "lab/forward/port_forwarder.h"

#include <gtest/gtest.h>

namespace linkmon::lab {
namespace {

const boost::asio::ip::address kLoopback = boost::asio::ip::address_v4::loopback();

TEST(ParseForwardRuleTest, AcceptsPortLocalRemoteAndAddress) {
  auto same = ParseForwardRule("9100", kLoopback);
  ASSERT_TRUE(same) << same.error().message;
  EXPECT_EQ(same->local_port, 9100);
  EXPECT_EQ(same->remote, boost::asio::ip::tcp::endpoint(kLoopback, 9100));

  auto moved = ParseForwardRule("19090:9090", kLoopback);
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(moved->local_port, 19090);
  EXPECT_EQ(moved->remote.port(), 9090);

  auto elsewhere = ParseForwardRule("19101:10.77.2.2:9101", kLoopback);
  ASSERT_TRUE(elsewhere) << elsewhere.error().message;
  EXPECT_EQ(elsewhere->remote.address().to_string(), "10.77.2.2");

  auto v6 = ParseForwardRule("19101:fd00:6c6d:0:2::2:9101", kLoopback);
  ASSERT_TRUE(v6) << v6.error().message;
  EXPECT_EQ(v6->remote.address().to_string(), "fd00:6c6d:0:2::2");
  EXPECT_EQ(v6->remote.port(), 9101);
}

TEST(ParseForwardRuleTest, RefusesWhatIsNotAPortOrAnAddress) {
  for (const char* bad :
       {"", "0", "65536", "http", "9100:", ":9100", "1:not-an-address:2", "99999999999999999999"}) {
    auto rule = ParseForwardRule(bad, kLoopback);
    ASSERT_FALSE(rule) << bad;
    EXPECT_NE(rule.error().message.find("expected LOCAL_PORT[:ADDRESS]:REMOTE_PORT"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace linkmon::lab
