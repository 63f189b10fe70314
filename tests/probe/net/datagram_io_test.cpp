#include "probe/net/datagram_io.h"

#include <netinet/in.h>

#include <array>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "probe/net/socket_options.h"
#include "tests/probe/net/loopback_pair.h"

namespace linkmon::net {
namespace {

using boost::asio::ip::udp;
using std::chrono::system_clock;
using testing::LoopbackPair;

class DatagramIoTest : public ::testing::TestWithParam<udp> {};

TEST_P(DatagramIoTest, ReceivesPayloadSourceTtlAndKernelTimestamp) {
  LoopbackPair pair(GetParam());
  KernelTimestamping mode = EnableKernelTimestamps(pair.receiver(), TransmitTimestamps::kNotWanted);
  ASSERT_NE(mode, KernelTimestamping::kNone);
  ASSERT_TRUE(EnableReceiveTtl(pair.receiver(), pair.family()).has_value());
  ASSERT_TRUE(pair.AwaitReceiveStamping());

  const std::array<std::uint8_t, 5> payload = {1, 2, 3, 4, 5};
  system_clock::time_point before = system_clock::now();
  ASSERT_TRUE(SendDatagram(pair.sender(), payload, pair.ReceiverAddress()).has_value());
  ASSERT_TRUE(pair.WaitReadable(pair.receiver()));
  system_clock::time_point after = system_clock::now();

  std::array<std::uint8_t, 64> buffer{};
  Result<ReceivedDatagram> got = ReceiveDatagram(pair.receiver(), buffer);
  ASSERT_TRUE(got.has_value()) << got.error().message;
  EXPECT_EQ(got->size, 5u);
  EXPECT_FALSE(got->truncated);
  EXPECT_TRUE(std::equal(payload.begin(), payload.end(), buffer.begin()));
  EXPECT_EQ(got->source_address, pair.loopback());
  EXPECT_EQ(got->source_port, pair.SenderPort());
  ASSERT_TRUE(got->ttl.has_value());
  EXPECT_EQ(*got->ttl, 64);  // Linux's default TTL and hop limit, unchanged on loopback
  ASSERT_TRUE(got->kernel_receive_time.has_value());
  EXPECT_GE(*got->kernel_receive_time, before);
  EXPECT_LE(*got->kernel_receive_time, after);

  // Nothing more queued.
  Result<ReceivedDatagram> empty = ReceiveDatagram(pair.receiver(), buffer);
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code, ErrorCode::kUnavailable);
}

TEST_P(DatagramIoTest, ReportsTruncationAndTheRealLength) {
  LoopbackPair pair(GetParam());
  std::vector<std::uint8_t> big(300, 0x5a);
  ASSERT_TRUE(SendDatagram(pair.sender(), big, pair.ReceiverAddress()).has_value());
  ASSERT_TRUE(pair.WaitReadable(pair.receiver()));
  std::array<std::uint8_t, 100> buffer{};
  Result<ReceivedDatagram> got = ReceiveDatagram(pair.receiver(), buffer);
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->truncated);
  EXPECT_EQ(got->size, 100u);
  EXPECT_FALSE(got->kernel_receive_time.has_value());  // timestamps were not enabled
  EXPECT_FALSE(got->ttl.has_value());
}

TEST_P(DatagramIoTest, TransmitTimestampsAreNumberedInSendOrder) {
  LoopbackPair pair(GetParam());
  KernelTimestamping mode = EnableKernelTimestamps(pair.sender(), TransmitTimestamps::kWanted);
  if (mode != KernelTimestamping::kSoTimestamping) GTEST_SKIP() << "no SO_TIMESTAMPING here";
  system_clock::time_point before = system_clock::now();
  const std::array<std::uint8_t, 3> payload = {1, 2, 3};
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(SendDatagram(pair.sender(), payload, pair.ReceiverAddress()).has_value());
  }
  std::vector<TransmitTimestamp> stamps;
  for (int attempt = 0; attempt < 200 && stamps.size() < 3; ++attempt) {
    Result<TransmitTimestamp> stamp = ReadTransmitTimestamp(pair.sender());
    if (stamp) {
      stamps.push_back(*stamp);
    } else {
      ASSERT_EQ(stamp.error().code, ErrorCode::kUnavailable) << stamp.error().message;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  system_clock::time_point after = system_clock::now();
  ASSERT_EQ(stamps.size(), 3u);
  for (std::uint32_t i = 0; i < 3; ++i) {
    EXPECT_EQ(stamps[i].id, i);
    EXPECT_GE(stamps[i].time, before);
    EXPECT_LE(stamps[i].time, after);
  }
  EXPECT_LE(stamps[0].time, stamps[2].time);
  EXPECT_EQ(ReadTransmitTimestamp(pair.sender()).error().code, ErrorCode::kUnavailable);
}

TEST(SocketAddressTest, MapsIpv4ForIpv6SocketsAndRefusesTheReverse) {
  auto v4 = boost::asio::ip::make_address("127.0.0.1");
  Result<SocketAddress> mapped = SocketAddress::Make(v4, 862, AF_INET6);
  ASSERT_TRUE(mapped.has_value());
  EXPECT_EQ(mapped->length(), sizeof(sockaddr_in6));
  EXPECT_EQ(mapped->get()->sa_family, AF_INET6);
  EXPECT_EQ(SocketAddress::Make(boost::asio::ip::make_address("::1"), 862, AF_INET).error().message,
            "cannot send to IPv6 address ::1 from an IPv4 socket");
}

INSTANTIATE_TEST_SUITE_P(Families, DatagramIoTest, ::testing::Values(udp::v4(), udp::v6()),
                         [](const auto& param_info) {
                           return param_info.param == udp::v4() ? "V4" : "V6";
                         });

}  // namespace
}  // namespace linkmon::net
