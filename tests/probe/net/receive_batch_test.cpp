#include "probe/net/receive_batch.h"

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

class ReceiveBatchTest : public ::testing::TestWithParam<udp> {};

TEST_P(ReceiveBatchTest, ReadsQueuedDatagramsUpToTheLimitInOneCall) {
  LoopbackPair pair(GetParam());
  ASSERT_NE(EnableKernelTimestamps(pair.receiver(), TransmitTimestamps::kNotWanted),
            KernelTimestamping::kNone);
  ASSERT_TRUE(pair.AwaitReceiveStamping());
  for (std::uint8_t i = 0; i < 5; ++i) {
    const std::array<std::uint8_t, 3> payload = {i, i, i};
    ASSERT_TRUE(SendDatagram(pair.sender(), payload, pair.ReceiverAddress()).has_value());
  }
  ReceiveBatch batch(4, 64);
  std::vector<std::uint8_t> firsts;
  for (int attempt = 0; attempt < 200 && firsts.size() < 5; ++attempt) {
    ASSERT_TRUE(pair.WaitReadable(pair.receiver()));
    Result<std::size_t> got = batch.Receive(pair.receiver(), /*limit=*/3);
    ASSERT_TRUE(got.has_value()) << got.error().message;
    ASSERT_LE(*got, 3u);  // the limit, below the batch's 4
    for (std::size_t i = 0; i < *got; ++i) {
      ReceivedDatagram datagram = batch.Datagram(i);
      EXPECT_EQ(datagram.size, 3u);
      EXPECT_FALSE(datagram.truncated);
      EXPECT_EQ(datagram.source_address, pair.loopback());
      EXPECT_EQ(datagram.source_port, pair.SenderPort());
      EXPECT_TRUE(datagram.kernel_receive_time.has_value());
      ASSERT_EQ(batch.Bytes(i).size(), 3u);
      firsts.push_back(batch.Bytes(i)[0]);
    }
  }
  EXPECT_EQ(firsts, (std::vector<std::uint8_t>{0, 1, 2, 3, 4}));
  Result<std::size_t> empty = batch.Receive(pair.receiver(), 4);
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code, ErrorCode::kUnavailable);
}

TEST_P(ReceiveBatchTest, KeepsALongDatagramTruncatedAndSaysSo) {
  LoopbackPair pair(GetParam());
  std::vector<std::uint8_t> big(300, 0x5a);
  ASSERT_TRUE(SendDatagram(pair.sender(), big, pair.ReceiverAddress()).has_value());
  ASSERT_TRUE(pair.WaitReadable(pair.receiver()));
  ReceiveBatch batch(2, 100);
  Result<std::size_t> got = batch.Receive(pair.receiver(), 2);
  ASSERT_TRUE(got.has_value());
  ASSERT_EQ(*got, 1u);
  EXPECT_TRUE(batch.Datagram(0).truncated);
  EXPECT_EQ(batch.Datagram(0).size, 100u);
  EXPECT_EQ(batch.Bytes(0).size(), 100u);
}

TEST_P(ReceiveBatchTest, ReadsTransmitStampsFromTheErrorQueueInSendOrder) {
  LoopbackPair pair(GetParam());
  if (EnableKernelTimestamps(pair.sender(), TransmitTimestamps::kWanted) !=
      KernelTimestamping::kSoTimestamping) {
    GTEST_SKIP() << "no SO_TIMESTAMPING here";
  }
  system_clock::time_point before = system_clock::now();
  const std::array<std::uint8_t, 3> payload = {1, 2, 3};
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(SendDatagram(pair.sender(), payload, pair.ReceiverAddress()).has_value());
  }
  ReceiveBatch batch(8, 64);
  std::vector<TransmitTimestamp> stamps;
  for (int attempt = 0; attempt < 200 && stamps.size() < 6; ++attempt) {
    Result<std::size_t> got = batch.ReceiveErrorQueue(pair.sender(), 8);
    if (!got) {
      ASSERT_EQ(got.error().code, ErrorCode::kUnavailable) << got.error().message;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    for (std::size_t i = 0; i < *got; ++i) {
      Result<TransmitTimestamp> stamp = batch.Stamp(i);
      ASSERT_TRUE(stamp.has_value()) << stamp.error().message;
      stamps.push_back(*stamp);
    }
  }
  system_clock::time_point after = system_clock::now();
  ASSERT_EQ(stamps.size(), 6u);
  for (std::uint32_t i = 0; i < 6; ++i) {
    EXPECT_EQ(stamps[i].id, i);
    EXPECT_GE(stamps[i].time, before);
    EXPECT_LE(stamps[i].time, after);
  }
  EXPECT_EQ(batch.ReceiveErrorQueue(pair.sender(), 8).error().code, ErrorCode::kUnavailable);
}

INSTANTIATE_TEST_SUITE_P(Families, ReceiveBatchTest, ::testing::Values(udp::v4(), udp::v6()),
                         [](const auto& param_info) {
                           return param_info.param == udp::v4() ? std::string("V4")
                                                                : std::string("V6");
                         });

}  // namespace
}  // namespace linkmon::net
