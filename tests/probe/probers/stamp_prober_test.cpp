#include "probe/probers/stamp_prober.h"

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include "probe/reflector/stamp_reflector.h"
#include "probe/stamp/timestamp.h"
#include "tests/probe/probers/recording_listener.h"

namespace linkmon::probers {
namespace {

using boost::asio::ip::make_address;
using boost::asio::ip::udp;
using std::chrono::milliseconds;
using testing::RecordingListener;

class StampProberTest : public ::testing::TestWithParam<const char*> {
 protected:
  std::unique_ptr<reflector::StampReflector> StartReflector(
      reflector::ReflectorOptions options = {}) {
    options.listen = udp::endpoint(make_address(GetParam()), 0);
    auto started = reflector::StampReflector::Start(io_, clock_, options);
    EXPECT_TRUE(started.has_value()) << started.error().message;
    return started ? std::move(*started) : nullptr;
  }

  // Runs the loop until `done` or 2 s.
  template <typename Done>
  void RunUntil(Done done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (!done() && std::chrono::steady_clock::now() < deadline) io_.run_for(milliseconds(2));
  }

  boost::asio::io_context io_;
  RealClock clock_;
};

TEST_P(StampProberTest, MeasuresRoundTripsWithKernelTimestampsAgainstTheReflector) {
  auto reflector = StartReflector();
  ASSERT_NE(reflector, nullptr);
  RecordingListener listener;
  StampProberOptions options{.reflector = reflector->local_endpoint(), .payload_size = 100};
  auto prober =
      StampProber::Make(io_, clock_, stamp::StampCodec::Unauthenticated(), options, listener);
  ASSERT_TRUE(prober.has_value()) << prober.error().message;
  EXPECT_EQ((*prober)->timestamping(), net::KernelTimestamping::kSoTimestamping);

  for (std::uint32_t sequence = 0; sequence < 20; ++sequence) {
    Status sent = (*prober)->Send(sequence);
    ASSERT_TRUE(sent.has_value()) << sent.error().message;
    RunUntil([&] { return listener.replies().size() == sequence + 1; });
  }
  ASSERT_EQ(listener.sent().size(), 20u);
  ASSERT_EQ(listener.replies().size(), 20u);
  // A reply handled before its probe's kernel transmit stamp was read falls back to user-space
  // stamps (a loaded machine does that now and then); some replies must be kernel-stamped.
  int kernel_stamped = 0;
  for (std::uint32_t i = 0; i < 20; ++i) {
    const stats::ProbeReply& reply = listener.replies()[i];
    EXPECT_EQ(reply.sequence, i);
    if (reply.timestamp_source == stats::TimestampSource::kKernel) ++kernel_stamped;
    // Reflector time excluded: positive (how small is a benchmark's business, not a test's).
    EXPECT_GT(reply.rtt, std::chrono::nanoseconds(0));
    EXPECT_GE(reply.arrival, listener.sent()[i].sent);
    ASSERT_TRUE(reply.one_way.has_value());
    // Neither end claims a synchronised clock.
    EXPECT_EQ(reply.clock_sync, stats::ClockSync::kNotSynchronized);
  }
  EXPECT_GT(kernel_stamped, 0);
  EXPECT_EQ((*prober)->counters().probes_sent, 20u);
  EXPECT_EQ((*prober)->counters().replies, 20u);
  EXPECT_EQ((*prober)->counters().kernel_transmit_stamps, 20u);
  EXPECT_EQ((*prober)->counters().foreign_replies, 0u);
}

TEST_P(StampProberTest, OneWayDelaysAreSynchronisedOnlyWhenBothClocksSaySo) {
  auto reflector = StartReflector();
  ASSERT_NE(reflector, nullptr);
  RecordingListener listener;
  auto prober = StampProber::Make(io_, clock_, stamp::StampCodec::Unauthenticated(),
                                  {.reflector = reflector->local_endpoint()}, listener);
  ASSERT_TRUE(prober.has_value());
  stamp::ErrorEstimate synced = stamp::ErrorEstimate::ForError(std::chrono::microseconds(50), true);

  (*prober)->SetClockErrorEstimate(synced);  // only this end
  ASSERT_TRUE((*prober)->Send(0).has_value());
  RunUntil([&] { return listener.replies().size() == 1; });
  reflector->SetClockErrorEstimate(synced);  // now both
  ASSERT_TRUE((*prober)->Send(1).has_value());
  RunUntil([&] { return listener.replies().size() == 2; });
  ASSERT_EQ(listener.replies().size(), 2u);
  EXPECT_EQ(listener.replies()[0].clock_sync, stats::ClockSync::kNotSynchronized);
  EXPECT_EQ(listener.replies()[1].clock_sync, stats::ClockSync::kBothSynchronized);
  // One host, one clock: each direction is between 0 and the round trip.
  const stats::OneWayDelays& delays = *listener.replies()[1].one_way;
  EXPECT_GE(delays.forward, std::chrono::nanoseconds(-1));  // NTP format rounds to 0.23 ns
  EXPECT_GE(delays.reverse, std::chrono::nanoseconds(-1));
  EXPECT_LE(delays.forward + delays.reverse,
            listener.replies()[1].rtt + std::chrono::nanoseconds(2));
}

TEST_P(StampProberTest, AuthenticatedSessionAndAWrongKey) {
  std::array<std::uint8_t, 32> key_bytes{};
  key_bytes.fill(7);
  std::filesystem::path key_file = std::filesystem::temp_directory_path() /
                                   ("linkmon-prober-test-" + std::to_string(::getpid()) + ".key");
  std::ofstream(key_file) << std::string(32, '0') + std::string(32, '7');
  ::chmod(key_file.c_str(), 0600);
  reflector::ReflectorOptions options;
  options.key_file = key_file;
  auto reflector = StartReflector(options);
  Result<stamp::HmacKey> key = stamp::HmacKey::LoadFile(key_file);
  std::filesystem::remove(key_file);
  ASSERT_NE(reflector, nullptr);
  ASSERT_TRUE(key.has_value());

  RecordingListener good_listener;
  auto good = StampProber::Make(io_, clock_, stamp::StampCodec::Authenticated(*key),
                                {.reflector = reflector->local_endpoint(), .payload_size = 112},
                                good_listener);
  ASSERT_TRUE(good.has_value()) << good.error().message;
  RecordingListener bad_listener;
  auto bad = StampProber::Make(
      io_, clock_, stamp::StampCodec::Authenticated(*stamp::HmacKey::FromBytes(key_bytes)),
      {.reflector = reflector->local_endpoint(), .payload_size = 112}, bad_listener);
  ASSERT_TRUE(bad.has_value());
  for (std::uint32_t i = 0; i < 5; ++i) {
    ASSERT_TRUE((*good)->Send(i).has_value());
    ASSERT_TRUE((*bad)->Send(i).has_value());
  }
  RunUntil([&] { return good_listener.replies().size() == 5; });
  io_.run_for(milliseconds(50));
  EXPECT_EQ(good_listener.replies().size(), 5u);
  EXPECT_TRUE(bad_listener.replies().empty());
  EXPECT_EQ(reflector->counters().refused_for(reflector::RefusalReason::kBadHmac), 5u);
}

TEST_P(StampProberTest, ForeignAndForgedRepliesAreCountedNotRecorded) {
  // A fake reflector that answers with replies the prober never asked for.
  udp::socket fake(io_, udp::endpoint(make_address(GetParam()), 0));
  RecordingListener listener;
  auto prober = StampProber::Make(io_, clock_, stamp::StampCodec::Unauthenticated(),
                                  {.reflector = fake.local_endpoint()}, listener);
  ASSERT_TRUE(prober.has_value());
  ASSERT_TRUE((*prober)->Send(1).has_value());
  std::vector<std::uint8_t> request(44);
  udp::endpoint from;
  ASSERT_EQ(fake.receive_from(boost::asio::buffer(request), from), 44u);
  stamp::SenderPacket asked = *stamp::StampCodec::Unauthenticated().DecodeSender(request);

  auto reply_with = [&](std::uint32_t sender_sequence, std::uint64_t sender_timestamp) {
    std::vector<std::uint8_t> reply(44);
    SystemTime now = clock_.SystemNow();
    ASSERT_TRUE(stamp::StampCodec::Unauthenticated()
                    .EncodeReflector({.timestamp = stamp::ToNtp(now),
                                      .error_estimate = {},
                                      .receive_timestamp = stamp::ToNtp(now),
                                      .sender_sequence = sender_sequence,
                                      .sender_timestamp = sender_timestamp,
                                      .sender_error_estimate = {}},
                                     reply)
                    .has_value());
    fake.send_to(boost::asio::buffer(reply), from);
  };
  reply_with(2, asked.timestamp);      // a sequence never sent
  reply_with(1, asked.timestamp + 1);  // right sequence, wrong echoed T1: forged or replayed
  std::vector<std::uint8_t> junk(10, 0xee);
  fake.send_to(boost::asio::buffer(junk), from);
  reply_with(1, asked.timestamp);  // the real one
  RunUntil([&] { return listener.replies().size() == 1; });
  io_.run_for(milliseconds(20));
  EXPECT_EQ(listener.replies().size(), 1u);
  EXPECT_EQ((*prober)->counters().foreign_replies, 2u);
  EXPECT_EQ((*prober)->counters().malformed_replies, 1u);
}

INSTANTIATE_TEST_SUITE_P(Loopback, StampProberTest, ::testing::Values("127.0.0.1", "::1"),
                         [](const auto& param_info) {
                           return std::string(param_info.param) == "::1" ? "V6" : "V4";
                         });

TEST(StampPayloadSizeTest, SubtractsIpAndUdpHeadersButNeverGoesBelowTheBase) {
  stamp::StampCodec plain = stamp::StampCodec::Unauthenticated();
  EXPECT_EQ(StampPayloadSize(100, false, plain), 72u);
  EXPECT_EQ(StampPayloadSize(100, true, plain), 52u);
  EXPECT_EQ(StampPayloadSize(60, true, plain), 44u);
  EXPECT_EQ(StampPayloadSize(0, false, plain), 44u);
}

}  // namespace
}  // namespace linkmon::probers
