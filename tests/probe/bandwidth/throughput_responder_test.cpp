// Throughput tests end to end on loopback: a ThroughputResponder on its own io_context thread,
// RunThroughputTest on the test's thread, real sockets. Rates are small (a few Mbit/s) and tests
// short, so the figures hold on a busy machine; exact rate agreement is the lab's business.

#include "probe/bandwidth/throughput_responder.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <string>
#include <thread>

#include "probe/bandwidth/throughput_test.h"

namespace linkmon::bandwidth {
namespace {

using std::chrono::milliseconds;

stamp::HmacKey Key(std::uint8_t seed) {
  std::array<std::uint8_t, 32> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(seed + i);
  return *stamp::HmacKey::FromBytes(bytes);
}

class ThroughputResponderTest : public ::testing::Test {
 protected:
  void StartResponder(ThroughputResponderOptions options) {
    options.listen = {boost::asio::ip::make_address("127.0.0.1"), 0};
    if (options.allowed_sources.empty()) {
      options.allowed_sources.push_back(*net::IpPrefix::Parse("127.0.0.0/8"));
    }
    options.drain = milliseconds(100);
    auto started = ThroughputResponder::Start(io_, clock_, options, Key(1));
    ASSERT_TRUE(started) << started.error().message;
    responder_ = std::move(*started);
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    io_.post([this] { responder_.reset(); });
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  ThroughputTestOptions Options(TestMode mode, std::uint64_t rate, milliseconds duration) {
    return {.target = boost::asio::ip::make_address("127.0.0.1"),
            .port = responder_->port(),
            .mode = mode,
            .rate = Bandwidth{rate},
            .duration = duration,
            .datagram_bytes = 1000,
            .sample_every = milliseconds(100),
            .control_timeout = milliseconds(3000)};
  }

  // Counters are read after the io_context thread has stopped.
  ThroughputResponderCounters StopAndCount() {
    work_.reset();
    io_.stop();
    thread_.join();
    return responder_->counters();
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(io_);
  RealClock clock_;
  std::unique_ptr<ThroughputResponder> responder_;
  std::thread thread_;
};

TEST_F(ThroughputResponderTest, UdpTestAtTargetRateArrivesWhole) {
  StartResponder({});
  // 4 Mbit/s of 1000-byte datagrams (1042 wire bytes each: UDP 8, IPv4 20, Ethernet 14)
  // for 500 ms: 250,000 bytes, less 2,048 for the control exchange: 237 whole datagrams.
  auto result = RunThroughputTest(Options(TestMode::kUdp, 4'000'000, milliseconds(500)), Key(1));
  ASSERT_TRUE(result) << result.error().message;
  const std::uint64_t expected = (250'000 - 2048) / 1042;
  EXPECT_EQ(UdpWireBytes(1000, false), 1042u);
  EXPECT_EQ(result->sent_datagrams, expected);
  EXPECT_EQ(result->report.datagrams, result->sent_datagrams);
  EXPECT_EQ(result->report.bytes, result->sent_bytes);
  EXPECT_EQ(result->loss_ratio, 0);
  EXPECT_EQ(result->report.duplicates, 0u);
  EXPECT_EQ(result->report.bytes_above_rate, 0u);
  // Every 16th datagram is echoed (sequence 0, 16, ...), and on loopback all echoes return.
  EXPECT_EQ(result->rtt_under_load.Count(), (expected + 15) / 16);
  // Everything sent fits in rate * duration.
  EXPECT_LE(result->sent_datagrams * 1042 + 2048, 250'000u);
  auto counters = StopAndCount();
  EXPECT_EQ(counters.accepted, 1u);
}

TEST_F(ThroughputResponderTest, TcpBulkTestReportsWhatArrived) {
  StartResponder({});
  auto result = RunThroughputTest(Options(TestMode::kTcp, 8'000'000, milliseconds(600)), Key(1));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_GT(result->sent_bytes, 0u);
  EXPECT_EQ(result->report.bytes, result->sent_bytes);
  // Paced below 8 Mbit/s of wire bytes: payload at most 8e6 * 0.6 / 8 bytes plus one chunk.
  EXPECT_LE(result->sent_bytes, 8'000'000u / 8 * 6 / 10 + 16 * 1024);
  EXPECT_GE(result->goodput_series.size(), 4u);
  EXPECT_GT(result->goodput.bits_per_second, 0u);
}

TEST_F(ThroughputResponderTest, RefusesBeyondItsCaps) {
  StartResponder({.max_rate = Bandwidth{5'000'000},
                  .max_duration = milliseconds(1000),
                  .max_duty_cycle = 0.001,  // 3.6 s per hour
                  .duty_window = std::chrono::hours(1)});
  auto fast = RunThroughputTest(Options(TestMode::kUdp, 6'000'000, milliseconds(200)), Key(1));
  ASSERT_FALSE(fast);
  EXPECT_EQ(fast.error().code, ErrorCode::kPermission);
  EXPECT_EQ(fast.error().message,
            "throughput test refused: rate_above_cap (responder's caps: 5Mbps, 1s)");
  auto long_test =
      RunThroughputTest(Options(TestMode::kUdp, 1'000'000, milliseconds(1500)), Key(1));
  ASSERT_FALSE(long_test);
  EXPECT_NE(long_test.error().message.find("duration_above_cap"), std::string::npos);
  auto wrong_key = RunThroughputTest(Options(TestMode::kUdp, 1'000'000, milliseconds(200)), Key(9));
  ASSERT_FALSE(wrong_key);
  // The refusal is MACed with the responder's key, which the prober does not have: it cannot
  // tell a forged answer from a refusal, and says so.
  EXPECT_EQ(wrong_key.error().message, "throughput response: HMAC does not verify");
  // Three 1 s tests fit in 3.6 s of the hour; the fourth does not.
  for (int i = 0; i < 3; ++i) {
    auto fits = RunThroughputTest(Options(TestMode::kUdp, 1'000'000, milliseconds(1000)), Key(1));
    ASSERT_TRUE(fits) << fits.error().message;
  }
  auto over = RunThroughputTest(Options(TestMode::kUdp, 1'000'000, milliseconds(1000)), Key(1));
  ASSERT_FALSE(over);
  EXPECT_NE(over.error().message.find("duty_cycle"), std::string::npos) << over.error().message;
  auto counters = StopAndCount();
  EXPECT_EQ(counters.accepted, 3u);
  EXPECT_EQ(counters.refused[static_cast<int>(TestVerdict::kRateAboveCap)], 1u);
  EXPECT_EQ(counters.refused[static_cast<int>(TestVerdict::kDurationAboveCap)], 1u);
  EXPECT_EQ(counters.refused[static_cast<int>(TestVerdict::kBadAuthentication)], 1u);
  EXPECT_EQ(counters.refused[static_cast<int>(TestVerdict::kDutyCycle)], 1u);
}

TEST_F(ThroughputResponderTest, RefusesSourcesOutsideItsAllowList) {
  StartResponder({.allowed_sources = {*net::IpPrefix::Parse("10.0.0.0/8")}});
  auto refused = RunThroughputTest(Options(TestMode::kUdp, 1'000'000, milliseconds(200)), Key(1));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("source_not_allowed"), std::string::npos);
}

TEST_F(ThroughputResponderTest, ReplayedRequestIsRefused) {
  StartResponder({});
  TestRequest request{.mode = TestMode::kUdp,
                      .rate = Bandwidth{1'000'000},
                      .duration = milliseconds(200),
                      .datagram_bytes = 100,
                      .nonce = {1, 2, 3},
                      .sent_unix = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch())};
  const RequestBytes bytes = *EncodeRequest(request, Key(1));
  auto send_and_answer = [&]() -> std::optional<TestVerdict> {
    boost::asio::io_context client_io;
    boost::asio::ip::tcp::socket socket(client_io);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), responder_->port()});
    boost::asio::write(socket, boost::asio::buffer(bytes));
    ResponseBytes answer{};
    boost::system::error_code error;
    boost::asio::read(socket, boost::asio::buffer(answer), error);
    if (error) return std::nullopt;
    auto decoded = DecodeResponse(answer, request.nonce, Key(1));
    if (!decoded) return std::nullopt;
    if (decoded->verdict == TestVerdict::kAccepted) {
      const std::uint8_t end = 'E';
      boost::asio::write(socket, boost::asio::buffer(&end, 1));
      ReportBytes report{};
      boost::asio::read(socket, boost::asio::buffer(report), error);
    }
    return decoded->verdict;
  };
  EXPECT_EQ(send_and_answer(), TestVerdict::kAccepted);
  EXPECT_EQ(send_and_answer(), TestVerdict::kReplayed);
}

}  // namespace
}  // namespace linkmon::bandwidth

namespace linkmon::bandwidth {
namespace {

// The responder shares the reflector's port number: TCP for its control, while the STAMP
// reflector holds the UDP port of that number.
TEST(ThroughputResponderPortTest, SharesItsPortNumberWithTheStampReflectorsUdpSocket) {
  boost::asio::io_context io;
  RealClock clock;
  // The number the kernel gives the UDP socket is free for UDP only: another process (a test
  // running alongside) may hold it for TCP. Such a number is skipped; any other failure fails.
  for (int attempt = 0; attempt < 20; ++attempt) {
    boost::asio::ip::udp::socket stamp(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    const std::uint16_t port = stamp.local_endpoint().port();
    ThroughputResponderOptions options;
    options.listen = {boost::asio::ip::make_address("127.0.0.1"), port};
    auto responder = ThroughputResponder::Start(io, clock, options, Key(1));
    if (!responder && responder.error().message.find("in use") != std::string::npos) continue;
    ASSERT_TRUE(responder) << responder.error().message;
    EXPECT_EQ((*responder)->port(), port);
    return;
  }
  FAIL() << "20 UDP port numbers in a row were taken for TCP";
}

}  // namespace
}  // namespace linkmon::bandwidth
