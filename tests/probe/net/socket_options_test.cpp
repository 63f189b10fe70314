#include "probe/net/socket_options.h"

#include <array>

#include <gtest/gtest.h>

#include "tests/probe/net/loopback_pair.h"

namespace linkmon::net {
namespace {

using boost::asio::ip::udp;
using testing::LoopbackPair;

class SocketOptionsTest : public ::testing::TestWithParam<udp> {};

TEST_P(SocketOptionsTest, DscpIsOnTheWire) {
  LoopbackPair pair(GetParam());
  ASSERT_TRUE(SetDscp(pair.sender(), pair.family(), 46).has_value());  // EF
  ASSERT_TRUE(EnableReceiveTrafficClass(pair.receiver(), pair.family()).has_value());
  const std::array<std::uint8_t, 1> payload = {7};
  ASSERT_TRUE(SendDatagram(pair.sender(), payload, pair.ReceiverAddress()).has_value());
  ASSERT_TRUE(pair.WaitReadable(pair.receiver()));
  std::array<std::uint8_t, 16> buffer{};
  Result<ReceivedDatagram> got = ReceiveDatagram(pair.receiver(), buffer);
  ASSERT_TRUE(got.has_value());
  ASSERT_TRUE(got->traffic_class.has_value());
  EXPECT_EQ(*got->traffic_class, 46 << 2);

  EXPECT_EQ(SetDscp(pair.sender(), pair.family(), 64).error().message,
            "dscp 64 is out of range 0..63");
}

TEST_P(SocketOptionsTest, KernelTimestampingPrefersSoTimestamping) {
  // Linux has had software SO_TIMESTAMPING on UDP sockets since 2.6.30.
  LoopbackPair pair(GetParam());
  EXPECT_EQ(EnableKernelTimestamps(pair.receiver(), TransmitTimestamps::kNotWanted),
            KernelTimestamping::kSoTimestamping);
  EXPECT_EQ(KernelTimestampingName(KernelTimestamping::kSoTimestamping), "so_timestamping");
  EXPECT_EQ(KernelTimestampingName(KernelTimestamping::kSoTimestampns), "so_timestampns");
  EXPECT_EQ(KernelTimestampingName(KernelTimestamping::kNone), "none");
  // A descriptor that is not a socket gets neither option.
  EXPECT_EQ(EnableKernelTimestamps(-1, TransmitTimestamps::kWanted), KernelTimestamping::kNone);
}

INSTANTIATE_TEST_SUITE_P(Families, SocketOptionsTest, ::testing::Values(udp::v4(), udp::v6()),
                         [](const auto& param_info) {
                           return param_info.param == udp::v4() ? "V4" : "V6";
                         });

}  // namespace
}  // namespace linkmon::net
