#include "probe/reflector/stamp_reflector.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "probe/stamp/stamp_packet.h"
#include "probe/stamp/timestamp.h"

namespace linkmon::reflector {
namespace {

using boost::asio::ip::make_address;
using boost::asio::ip::udp;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using std::chrono::system_clock;

// A Session-Sender stand-in: a non-blocking UDP socket bound to `local`, port 0.
class TestSender {
 public:
  TestSender(boost::asio::io_context& io, const char* local) : socket_(io) {
    udp::endpoint endpoint(make_address(local), 0);
    socket_.open(endpoint.protocol());
    socket_.bind(endpoint);
    socket_.non_blocking(true);
  }

  bool Send(const std::vector<std::uint8_t>& bytes, const udp::endpoint& to) {
    boost::system::error_code error;
    socket_.send_to(boost::asio::buffer(bytes), to, 0, error);
    return !error;
  }

  // Collects every reply that arrives, running `io` meanwhile, until `quiet` passes with nothing.
  std::vector<std::vector<std::uint8_t>> Collect(boost::asio::io_context& io,
                                                 milliseconds quiet = milliseconds(200)) {
    std::vector<std::vector<std::uint8_t>> replies;
    steady_clock::time_point last = steady_clock::now();
    std::vector<std::uint8_t> buffer(2048);
    while (steady_clock::now() - last < quiet) {
      io.poll();
      boost::system::error_code error;
      udp::endpoint from;
      std::size_t got = socket_.receive_from(boost::asio::buffer(buffer), from, 0, error);
      if (!error) {
        replies.emplace_back(buffer.begin(), buffer.begin() + static_cast<long>(got));
        last = steady_clock::now();
      } else {
        io.run_for(milliseconds(1));
      }
    }
    return replies;
  }

 private:
  udp::socket socket_;
};

std::vector<std::uint8_t> SenderPacket(const stamp::StampCodec& codec, std::uint32_t sequence,
                                       system_clock::time_point t1, std::size_t size = 0) {
  std::vector<std::uint8_t> bytes(size == 0 ? codec.base_size() : size);
  EXPECT_TRUE(
      codec
          .EncodeSender({.sequence = sequence, .timestamp = stamp::ToNtp(t1), .error_estimate = {}},
                        bytes)
          .has_value());
  return bytes;
}

ReflectorOptions ListenOn(const char* address) {
  ReflectorOptions options;
  options.listen = udp::endpoint(make_address(address), 0);
  return options;
}

class StampReflectorTest : public ::testing::TestWithParam<const char*> {
 protected:
  const char* loopback() const { return GetParam(); }
  boost::asio::io_context io_;
  RealClock clock_;
};

TEST_P(StampReflectorTest, ReflectsWithKernelReceiveTimestampsAndTtl) {
  auto reflector = StampReflector::Start(io_, clock_, ListenOn(loopback()));
  ASSERT_TRUE(reflector.has_value()) << reflector.error().message;
  EXPECT_EQ((*reflector)->timestamping(), net::KernelTimestamping::kSoTimestamping);
  ASSERT_NE((*reflector)->local_endpoint().port(), 0);

  stamp::StampCodec codec = stamp::StampCodec::Unauthenticated();
  TestSender sender(io_, loopback());
  system_clock::time_point t1 = system_clock::now();
  ASSERT_TRUE(sender.Send(SenderPacket(codec, 77, t1, 120), (*reflector)->local_endpoint()));
  auto replies = sender.Collect(io_);
  system_clock::time_point t4 = system_clock::now();
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].size(), 120u);
  Result<stamp::ReflectorPacket> reply = codec.DecodeReflector(replies[0]);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->sender_sequence, 77u);
  EXPECT_EQ(reply->sequence, 0u);
  EXPECT_EQ(reply->sender_ttl, 64);
  system_clock::time_point t2 = stamp::FromNtp(reply->receive_timestamp);
  system_clock::time_point t3 = stamp::FromNtp(reply->timestamp);
  // One host, one clock: T1 <= T2 <= T3 <= T4 (to the NTP format's rounding of 1 ns).
  EXPECT_LE(t1 - std::chrono::nanoseconds(1), t2);
  EXPECT_LE(t2, t3);
  EXPECT_LE(t3, t4);
  EXPECT_EQ((*reflector)->counters().reflected_packets, 1u);
  EXPECT_EQ((*reflector)->counters().reflected_bytes, 120u);
}

TEST_P(StampReflectorTest, AuthenticatedModeWithAKeyFile) {
  std::filesystem::path key_file =
      std::filesystem::temp_directory_path() /
      ("linkmon-reflector-test-" + std::to_string(::getpid()) + ".key");
  const std::string hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  std::ofstream(key_file) << hex << "\n";
  ::chmod(key_file.c_str(), 0644);
  ReflectorOptions options = ListenOn(loopback());
  options.key_file = key_file;
  auto refused = StampReflector::Start(io_, clock_, options);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kPermission);

  ::chmod(key_file.c_str(), 0600);
  auto reflector = StampReflector::Start(io_, clock_, options);
  std::filesystem::remove(key_file);
  ASSERT_TRUE(reflector.has_value()) << reflector.error().message;

  stamp::StampCodec codec = stamp::StampCodec::Authenticated(*stamp::HmacKey::FromHex(hex));
  TestSender sender(io_, loopback());
  ASSERT_TRUE(
      sender.Send(SenderPacket(codec, 1, system_clock::now()), (*reflector)->local_endpoint()));
  // The same packet again is a replay; an unauthenticated packet is too short.
  std::vector<std::uint8_t> replayed = SenderPacket(codec, 2, system_clock::now());
  ASSERT_TRUE(sender.Send(replayed, (*reflector)->local_endpoint()));
  ASSERT_TRUE(sender.Send(replayed, (*reflector)->local_endpoint()));
  ASSERT_TRUE(
      sender.Send(SenderPacket(stamp::StampCodec::Unauthenticated(), 3, system_clock::now()),
                  (*reflector)->local_endpoint()));
  auto replies = sender.Collect(io_);
  ASSERT_EQ(replies.size(), 2u);
  for (const auto& bytes : replies) {
    EXPECT_EQ(bytes.size(), 112u);
    EXPECT_TRUE(codec.DecodeReflector(bytes).has_value());
  }
  const ReflectorCounters& counters = (*reflector)->counters();
  EXPECT_EQ(counters.refused_for(RefusalReason::kReplay), 1u);
  EXPECT_EQ(counters.refused_for(RefusalReason::kTooShort), 1u);
}

// Abuse: an allowed source sends far above its rate. The reflector answers at most the burst plus
// the rate, each reply exactly as long as its request, and counts every refusal.
TEST_P(StampReflectorTest, FloodFromAnAllowedSourceIsHeldToItsRate) {
  ReflectorOptions options = ListenOn(loopback());
  options.per_source = {.packets_per_second = 100, .burst = 20};
  auto reflector = StampReflector::Start(io_, clock_, options);
  ASSERT_TRUE(reflector.has_value()) << reflector.error().message;
  stamp::StampCodec codec = stamp::StampCodec::Unauthenticated();
  TestSender sender(io_, loopback());

  constexpr int kPackets = 3'000;
  std::uint64_t bytes_sent = 0;
  steady_clock::time_point start = steady_clock::now();
  for (int i = 0; i < kPackets; ++i) {
    std::vector<std::uint8_t> packet =
        SenderPacket(codec, static_cast<std::uint32_t>(i), system_clock::now(), 44 + i % 100);
    if (sender.Send(packet, (*reflector)->local_endpoint())) bytes_sent += packet.size();
    if (i % 50 == 49) io_.poll();  // let the reflector drain its socket between bursts
  }
  auto replies = sender.Collect(io_);
  double elapsed = std::chrono::duration<double>(steady_clock::now() - start).count();

  const ReflectorCounters& counters = (*reflector)->counters();
  std::uint64_t reply_bytes = 0;
  for (const auto& reply : replies) reply_bytes += reply.size();
  EXPECT_EQ(replies.size(), counters.reflected_packets);
  EXPECT_EQ(reply_bytes, counters.reflected_bytes);
  EXPECT_LE(counters.reflected_bytes, counters.received_bytes);
  EXPECT_LE(counters.received_bytes, bytes_sent);
  EXPECT_EQ(counters.received_packets,
            counters.reflected_packets + counters.refused_total() + counters.send_errors);
  EXPECT_EQ(counters.refused_for(RefusalReason::kSourceRateLimited),
            counters.received_packets - counters.reflected_packets);
  EXPECT_LE(static_cast<double>(counters.reflected_packets), 20 + 100 * elapsed + 1);
  EXPECT_GE(counters.reflected_packets, 20u);
  EXPECT_GT(counters.refused_for(RefusalReason::kSourceRateLimited), 1'000u);
  std::printf(
      "flood: sent %d packets / %llu bytes in %.3f s; reflector received %llu / %llu, "
      "answered %llu / %llu, refused over rate %llu\n",
      kPackets, static_cast<unsigned long long>(bytes_sent), elapsed,
      static_cast<unsigned long long>(counters.received_packets),
      static_cast<unsigned long long>(counters.received_bytes),
      static_cast<unsigned long long>(counters.reflected_packets),
      static_cast<unsigned long long>(counters.reflected_bytes),
      static_cast<unsigned long long>(counters.refused_for(RefusalReason::kSourceRateLimited)));
}

// Abuse: a source outside the allow-list gets nothing back, however much it sends.
TEST_P(StampReflectorTest, FloodFromADisallowedSourceIsNeverAnswered) {
  ReflectorOptions options = ListenOn(loopback());
  bool v4 = std::string(loopback()) == "127.0.0.1";
  options.allowed_sources = {*net::IpPrefix::Parse(v4 ? "127.0.0.2/32" : "2001:db8::/32")};
  auto reflector = StampReflector::Start(io_, clock_, options);
  ASSERT_TRUE(reflector.has_value()) << reflector.error().message;
  stamp::StampCodec codec = stamp::StampCodec::Unauthenticated();
  TestSender outsider(io_, loopback());
  for (int i = 0; i < 1'000; ++i) {
    outsider.Send(SenderPacket(codec, static_cast<std::uint32_t>(i), system_clock::now()),
                  (*reflector)->local_endpoint());
    if (i % 50 == 49) io_.poll();
  }
  EXPECT_TRUE(outsider.Collect(io_).empty());
  const ReflectorCounters& counters = (*reflector)->counters();
  EXPECT_GT(counters.received_packets, 0u);
  EXPECT_EQ(counters.refused_for(RefusalReason::kSourceNotAllowed), counters.received_packets);
  EXPECT_EQ(counters.reflected_packets, 0u);
  EXPECT_EQ(counters.reflected_bytes, 0u);

  if (v4) {  // an allowed source on the same reflector is answered
    TestSender insider(io_, "127.0.0.2");
    ASSERT_TRUE(
        insider.Send(SenderPacket(codec, 1, system_clock::now()), (*reflector)->local_endpoint()));
    EXPECT_EQ(insider.Collect(io_).size(), 1u);
  }
}

// More datagrams queued than one turn handles: the rest must be handled without new traffic.
TEST_P(StampReflectorTest, DrainsABacklogLargerThanOneTurn) {
  ReflectorOptions options = ListenOn(loopback());
  options.max_packets_per_turn = 8;
  auto reflector = StampReflector::Start(io_, clock_, options);
  ASSERT_TRUE(reflector.has_value()) << reflector.error().message;
  stamp::StampCodec codec = stamp::StampCodec::Unauthenticated();
  TestSender sender(io_, loopback());
  for (std::uint32_t i = 0; i < 40; ++i) {  // within the default burst of 50
    ASSERT_TRUE(
        sender.Send(SenderPacket(codec, i, system_clock::now()), (*reflector)->local_endpoint()));
  }
  EXPECT_EQ(sender.Collect(io_).size(), 40u);
  EXPECT_EQ((*reflector)->counters().reflected_packets, 40u);
}

INSTANTIATE_TEST_SUITE_P(Loopback, StampReflectorTest, ::testing::Values("127.0.0.1", "::1"),
                         [](const auto& param_info) {
                           return std::string(param_info.param) == "::1" ? "V6" : "V4";
                         });

TEST(StampReflectorStartTest, RefusesAnOpenReflectorOnAWildcardAddress) {
  boost::asio::io_context io;
  RealClock clock;
  auto reflector = StampReflector::Start(io, clock, ListenOn("0.0.0.0"));
  ASSERT_FALSE(reflector.has_value());
  EXPECT_EQ(reflector.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(reflector.error().message.find("without an allow-list or a key"), std::string::npos);
}

TEST(StampReflectorStartTest, ReportsABindFailure) {
  boost::asio::io_context io;
  RealClock clock;
  udp::socket taken(io, udp::endpoint(make_address("127.0.0.1"), 0));
  ReflectorOptions options = ListenOn("127.0.0.1");
  options.listen.port(taken.local_endpoint().port());
  auto reflector = StampReflector::Start(io, clock, options);
  ASSERT_FALSE(reflector.has_value());
  EXPECT_EQ(reflector.error().message, "reflector: cannot listen on 127.0.0.1:" +
                                           std::to_string(taken.local_endpoint().port()) +
                                           ": Address already in use");
}

}  // namespace
}  // namespace linkmon::reflector
