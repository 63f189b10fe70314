#include "probe/net/send_batch.h"

#include <array>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "probe/net/receive_batch.h"
#include "probe/net/socket_options.h"
#include "tests/probe/net/loopback_pair.h"

namespace linkmon::net {
namespace {

using boost::asio::ip::udp;
using testing::LoopbackPair;

class SendBatchTest : public ::testing::TestWithParam<udp> {};

// Reads `count` datagrams from the receiver (at most 2 s); returns their first bytes in order.
std::vector<std::uint8_t> ReadFirstBytes(LoopbackPair& pair, std::size_t count) {
  ReceiveBatch batch(8, 64);
  std::vector<std::uint8_t> firsts;
  for (int attempt = 0; attempt < 100 && firsts.size() < count; ++attempt) {
    if (!pair.WaitReadable(pair.receiver())) break;
    Result<std::size_t> got = batch.Receive(pair.receiver(), 8);
    if (!got) continue;
    for (std::size_t i = 0; i < *got; ++i) firsts.push_back(batch.Bytes(i)[0]);
  }
  return firsts;
}

TEST_P(SendBatchTest, SendsEveryQueuedDatagramInOrderEachWithItsOwnTransmitStamp) {
  LoopbackPair pair(GetParam());
  const bool stamped = EnableKernelTimestamps(pair.sender(), TransmitTimestamps::kWanted) ==
                       KernelTimestamping::kSoTimestamping;
  SendBatch batch(8);
  for (std::uint8_t i = 0; i < 5; ++i) {
    const std::array<std::uint8_t, 2> payload = {i, 0xee};
    batch.Add(payload, pair.ReceiverAddress());
  }
  EXPECT_EQ(batch.size(), 5u);
  std::span<const Status> results = batch.Send(pair.sender());
  ASSERT_EQ(results.size(), 5u);
  for (const Status& result : results) EXPECT_TRUE(result.has_value()) << result.error().message;
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(ReadFirstBytes(pair, 5), (std::vector<std::uint8_t>{0, 1, 2, 3, 4}));
  if (!stamped) GTEST_SKIP() << "no SO_TIMESTAMPING here";
  ReceiveBatch errors(8, 64);
  std::vector<std::uint32_t> ids;
  for (int attempt = 0; attempt < 200 && ids.size() < 5; ++attempt) {
    Result<std::size_t> got = errors.ReceiveErrorQueue(pair.sender(), 8);
    if (!got) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    for (std::size_t i = 0; i < *got; ++i) ids.push_back(errors.Stamp(i)->id);
  }
  EXPECT_EQ(ids, (std::vector<std::uint32_t>{0, 1, 2, 3, 4}));
}

TEST_P(SendBatchTest, ReportsTheDatagramTheKernelRefusesAndSendsTheOthers) {
  LoopbackPair pair(GetParam());
  SendBatch batch(4);
  const std::array<std::uint8_t, 1> first = {1};
  const std::vector<std::uint8_t> too_big(70'000, 2);  // beyond a UDP datagram: EMSGSIZE
  const std::array<std::uint8_t, 1> third = {3};
  batch.Add(first, pair.ReceiverAddress());
  batch.Add(too_big, pair.ReceiverAddress());
  batch.Add(third, pair.ReceiverAddress());
  std::span<const Status> results = batch.Send(pair.sender());
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].has_value());
  ASSERT_FALSE(results[1].has_value());
  EXPECT_EQ(results[1].error().code, ErrorCode::kIo);
  EXPECT_EQ(results[1].error().message, "sendmmsg: Message too long");
  EXPECT_TRUE(results[2].has_value());
  EXPECT_EQ(ReadFirstBytes(pair, 2), (std::vector<std::uint8_t>{1, 3}));
}

TEST(SendBatchFullTest, IsFullAtItsCapacity) {
  SendBatch batch(2);
  SocketAddress to = *SocketAddress::Make(boost::asio::ip::make_address("127.0.0.1"), 9, AF_INET);
  const std::array<std::uint8_t, 1> payload = {1};
  batch.Add(payload, to);
  EXPECT_FALSE(batch.full());
  batch.Add(payload, to);
  EXPECT_TRUE(batch.full());
}

INSTANTIATE_TEST_SUITE_P(Families, SendBatchTest, ::testing::Values(udp::v4(), udp::v6()),
                         [](const auto& param_info) {
                           return param_info.param == udp::v4() ? std::string("V4")
                                                                : std::string("V6");
                         });

}  // namespace
}  // namespace linkmon::net
