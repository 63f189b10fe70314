#include "probe/reflector/session_reflector.h"

#include <array>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "probe/stamp/timestamp.h"

namespace linkmon::reflector {
namespace {

using boost::asio::ip::address;
using boost::asio::ip::make_address;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using std::chrono::system_clock;

const steady_clock::time_point kStart{std::chrono::hours(100)};
// 2026-01-01T00:00:00Z
const system_clock::time_point kWall{std::chrono::seconds(1'767'225'600)};

ReflectorOptions LoopbackOptions() {
  ReflectorOptions options;
  options.listen = boost::asio::ip::udp::endpoint(make_address("127.0.0.1"), 0);
  return options;
}

stamp::HmacKey Key() { return *stamp::HmacKey::FromHex("00112233445566778899aabbccddeeff"); }

// Builds Session-Sender packets the way a sender would.
class Sender {
 public:
  explicit Sender(stamp::StampCodec codec, std::size_t size = 0)
      : codec_(std::move(codec)), size_(size == 0 ? codec_.base_size() : size) {}

  std::vector<std::uint8_t> Packet(std::uint32_t sequence) {
    std::vector<std::uint8_t> bytes(size_);
    stamp::SenderPacket packet{
        .sequence = sequence,
        .timestamp = stamp::ToNtp(kWall),
        .error_estimate = {.synchronized = true, .scale = 3, .multiplier = 9}};
    EXPECT_TRUE(codec_.EncodeSender(packet, bytes).has_value());
    return bytes;
  }
  const stamp::StampCodec& codec() const { return codec_; }

 private:
  stamp::StampCodec codec_;
  std::size_t size_;
};

struct Harness {
  explicit Harness(ReflectorOptions options = LoopbackOptions(),
                   stamp::StampCodec codec = stamp::StampCodec::Unauthenticated())
      : reflector(options, std::move(codec)), reply(options.max_packet_bytes) {}

  tl::expected<std::size_t, RefusalReason> Send(const std::vector<std::uint8_t>& bytes,
                                                const char* source, std::uint16_t port,
                                                steady_clock::time_point now = kStart) {
    IncomingDatagram datagram{.bytes = bytes,
                              .source_address = make_address(source),
                              .source_port = port,
                              .receive_time = kWall + milliseconds(5),
                              .ttl = 61};
    auto result = reflector.Reflect(datagram, now, kWall + milliseconds(6), reply);
    if (result) reflector.CountSent(*result);
    return result;
  }

  SessionReflector reflector;
  std::vector<std::uint8_t> reply;
};

TEST(SessionReflectorTest, ReflectsWithTimestampsCopiedFieldsAndAPerSessionCount) {
  Harness harness;
  Sender sender(stamp::StampCodec::Unauthenticated(), 100);
  for (std::uint32_t sent = 40; sent < 43; ++sent) {
    auto size = harness.Send(sender.Packet(sent), "127.0.0.1", 40000);
    ASSERT_TRUE(size.has_value());
    EXPECT_EQ(*size, 100u);  // as long as the request, padding included
    Result<stamp::ReflectorPacket> reply = stamp::StampCodec::Unauthenticated().DecodeReflector(
        std::span<const std::uint8_t>(harness.reply).first(*size));
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->sequence, sent - 40);  // the reflector's own count in this session
    EXPECT_EQ(reply->sender_sequence, sent);
    EXPECT_EQ(reply->sender_timestamp, stamp::ToNtp(kWall));
    EXPECT_EQ(reply->sender_error_estimate.ToWire(), 0x8309);
    EXPECT_EQ(reply->sender_ttl, 61);
    EXPECT_EQ(stamp::FromNtp(reply->receive_timestamp), kWall + milliseconds(5));
    EXPECT_EQ(stamp::FromNtp(reply->timestamp), kWall + milliseconds(6));
    EXPECT_FALSE(reply->error_estimate.synchronized);
  }
  // Another port is another session, counted from 0.
  auto other = harness.Send(sender.Packet(7), "127.0.0.1", 40001);
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(stamp::StampCodec::Unauthenticated()
                .DecodeReflector(std::span<const std::uint8_t>(harness.reply).first(*other))
                ->sequence,
            0u);
  EXPECT_EQ(harness.reflector.session_count(), 2u);
  EXPECT_EQ(harness.reflector.counters().reflected_packets, 4u);
  EXPECT_EQ(harness.reflector.counters().reflected_bytes, 400u);
  EXPECT_EQ(harness.reflector.counters().received_bytes, 400u);
}

TEST(SessionReflectorTest, ReportsTheClockErrorEstimateItIsGiven) {
  Harness harness;
  harness.reflector.SetClockErrorEstimate(
      stamp::ErrorEstimate::ForError(std::chrono::microseconds(100), true));
  Sender sender(stamp::StampCodec::Unauthenticated());
  auto size = harness.Send(sender.Packet(1), "127.0.0.1", 1);
  ASSERT_TRUE(size.has_value());
  auto reply = stamp::StampCodec::Unauthenticated().DecodeReflector(
      std::span<const std::uint8_t>(harness.reply).first(*size));
  EXPECT_TRUE(reply->error_estimate.synchronized);
  EXPECT_GE(*reply->error_estimate.Error(), std::chrono::microseconds(100));
}

TEST(SessionReflectorTest, AnswersOnlyAllowedSources) {
  ReflectorOptions options = LoopbackOptions();
  options.allowed_sources = {*net::IpPrefix::Parse("127.0.0.0/30"),
                             *net::IpPrefix::Parse("::1/128")};
  Harness harness(options);
  Sender sender(stamp::StampCodec::Unauthenticated());
  EXPECT_TRUE(harness.Send(sender.Packet(1), "127.0.0.2", 1).has_value());
  EXPECT_TRUE(harness.Send(sender.Packet(1), "::ffff:127.0.0.3", 1).has_value());
  EXPECT_TRUE(harness.Send(sender.Packet(1), "::1", 1).has_value());
  EXPECT_EQ(harness.Send(sender.Packet(1), "127.0.0.4", 1).error(),
            RefusalReason::kSourceNotAllowed);
  EXPECT_EQ(harness.Send(sender.Packet(1), "::2", 1).error(), RefusalReason::kSourceNotAllowed);
  EXPECT_EQ(harness.reflector.counters().refused_for(RefusalReason::kSourceNotAllowed), 2u);
  // Refused sources leave no state behind.
  EXPECT_EQ(harness.reflector.source_count(), 3u);
}

TEST(SessionReflectorTest, DropsShortAndOverlongDatagrams) {
  ReflectorOptions options = LoopbackOptions();
  options.max_packet_bytes = 200;
  Harness harness(options);
  Sender sender(stamp::StampCodec::Unauthenticated());
  std::vector<std::uint8_t> packet = sender.Packet(1);
  for (std::size_t size : {0, 1, 14, 43}) {
    std::vector<std::uint8_t> cut(packet.begin(), packet.begin() + static_cast<long>(size));
    EXPECT_EQ(harness.Send(cut, "127.0.0.1", 1).error(), RefusalReason::kTooShort) << size;
  }
  std::vector<std::uint8_t> long_packet(201, 0);
  EXPECT_EQ(harness.Send(long_packet, "127.0.0.1", 1).error(), RefusalReason::kTooLong);
  IncomingDatagram truncated{.bytes = packet,
                             .truncated = true,
                             .source_address = make_address("127.0.0.1"),
                             .source_port = 1,
                             .receive_time = kWall,
                             .ttl = std::nullopt};
  EXPECT_EQ(harness.reflector.Reflect(truncated, kStart, kWall, harness.reply).error(),
            RefusalReason::kTooLong);
  EXPECT_EQ(harness.reflector.counters().refused_for(RefusalReason::kTooShort), 4u);
  EXPECT_EQ(harness.reflector.counters().refused_for(RefusalReason::kTooLong), 2u);
  EXPECT_EQ(harness.reflector.counters().reflected_packets, 0u);
}

TEST(SessionReflectorTest, LimitsEachSourceToItsRateAndBurst) {
  ReflectorOptions options = LoopbackOptions();
  options.per_source = {.packets_per_second = 10, .burst = 3};
  Harness harness(options);
  Sender sender(stamp::StampCodec::Unauthenticated());
  std::uint32_t sequence = 0;
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(harness.Send(sender.Packet(sequence++), "127.0.0.1", 1).has_value());
  }
  // Same address, other port: same bucket.
  EXPECT_EQ(harness.Send(sender.Packet(sequence++), "127.0.0.1", 2).error(),
            RefusalReason::kSourceRateLimited);
  // Another address has its own bucket.
  EXPECT_TRUE(harness.Send(sender.Packet(sequence++), "127.0.0.2", 1).has_value());
  // 100 ms later one more token.
  EXPECT_TRUE(harness.Send(sender.Packet(sequence++), "127.0.0.1", 1, kStart + milliseconds(100))
                  .has_value());
  EXPECT_EQ(
      harness.Send(sender.Packet(sequence++), "127.0.0.1", 1, kStart + milliseconds(100)).error(),
      RefusalReason::kSourceRateLimited);
  EXPECT_EQ(harness.reflector.counters().refused_for(RefusalReason::kSourceRateLimited), 2u);
}

TEST(SessionReflectorTest, LimitsTheWholeReflectorAcrossSources) {
  ReflectorOptions options = LoopbackOptions();
  options.global = {.packets_per_second = 100, .burst = 5};
  Harness harness(options);
  Sender sender(stamp::StampCodec::Unauthenticated());
  int answered = 0;
  int refused = 0;
  // 1 s of 50 sources each sending every 10 ms (5,000 packets/s offered).
  for (int tick = 0; tick < 100; ++tick) {
    for (int source = 1; source <= 50; ++source) {
      std::string address = "127.0.1." + std::to_string(source);
      auto result = harness.Send(sender.Packet(static_cast<std::uint32_t>(tick)), address.c_str(),
                                 1, kStart + milliseconds(10 * tick));
      if (result) {
        ++answered;
      } else {
        ASSERT_EQ(result.error(), RefusalReason::kGlobalRateLimited);
        ++refused;
      }
    }
  }
  // 5 at once, then 100/s for the 0.99 s that follow.
  EXPECT_GE(answered, 5 + 98);
  EXPECT_LE(answered, 5 + 100);
  EXPECT_EQ(static_cast<std::uint64_t>(refused),
            harness.reflector.counters().refused_for(RefusalReason::kGlobalRateLimited));
}

TEST(SessionReflectorTest, AuthenticatedRepliesVerifyAndForgeriesAndReplaysAreRefused) {
  ReflectorOptions options = LoopbackOptions();
  options.key_file = "unused-by-this-class.key";
  Harness harness(options, stamp::StampCodec::Authenticated(Key()));
  Sender sender(stamp::StampCodec::Authenticated(Key()));
  auto size = harness.Send(sender.Packet(5), "127.0.0.1", 9);
  ASSERT_TRUE(size.has_value());
  EXPECT_EQ(*size, 112u);
  Result<stamp::ReflectorPacket> reply =
      sender.codec().DecodeReflector(std::span<const std::uint8_t>(harness.reply).first(*size));
  ASSERT_TRUE(reply.has_value()) << reply.error().message;
  EXPECT_EQ(reply->sender_sequence, 5u);

  // Replayed: refused, whatever the port's session state says about order.
  EXPECT_EQ(harness.Send(sender.Packet(5), "127.0.0.1", 9).error(), RefusalReason::kReplay);
  // Reordered inside the window: answered once.
  EXPECT_TRUE(harness.Send(sender.Packet(3), "127.0.0.1", 9).has_value());
  EXPECT_EQ(harness.Send(sender.Packet(3), "127.0.0.1", 9).error(), RefusalReason::kReplay);

  // Wrong key, or an unauthenticated packet padded to the authenticated size.
  std::array<std::uint8_t, 16> other_key{};
  Sender forger(stamp::StampCodec::Authenticated(*stamp::HmacKey::FromBytes(other_key)));
  EXPECT_EQ(harness.Send(forger.Packet(6), "127.0.0.1", 9).error(), RefusalReason::kBadHmac);
  Sender plain(stamp::StampCodec::Unauthenticated(), 112);
  EXPECT_EQ(harness.Send(plain.Packet(7), "127.0.0.1", 9).error(), RefusalReason::kBadHmac);
  // An unauthenticated 44-byte packet is short for authenticated mode.
  Sender short_plain(stamp::StampCodec::Unauthenticated());
  EXPECT_EQ(harness.Send(short_plain.Packet(8), "127.0.0.1", 9).error(), RefusalReason::kTooShort);

  const ReflectorCounters& counters = harness.reflector.counters();
  EXPECT_EQ(counters.refused_for(RefusalReason::kReplay), 2u);
  EXPECT_EQ(counters.refused_for(RefusalReason::kBadHmac), 2u);
  EXPECT_EQ(counters.reflected_packets, 2u);
}

TEST(SessionReflectorTest, SessionTableIsBoundedAndIdleSessionsExpire) {
  ReflectorOptions options = LoopbackOptions();
  options.max_sessions = 2;
  options.session_idle_timeout = std::chrono::seconds(10);
  Harness harness(options);
  Sender sender(stamp::StampCodec::Unauthenticated());
  ASSERT_TRUE(harness.Send(sender.Packet(1), "127.0.0.1", 1).has_value());
  ASSERT_TRUE(harness.Send(sender.Packet(1), "127.0.0.1", 2).has_value());
  ASSERT_TRUE(harness.Send(sender.Packet(1), "127.0.0.1", 3).has_value());
  EXPECT_EQ(harness.reflector.session_count(), 2u);
  EXPECT_EQ(harness.reflector.counters().sessions_evicted, 1u);
  EXPECT_EQ(harness.reflector.counters().sessions_created, 3u);
  // Port 1 was evicted: it starts over at reflector sequence 0.
  auto again = harness.Send(sender.Packet(2), "127.0.0.1", 1);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(stamp::StampCodec::Unauthenticated()
                .DecodeReflector(std::span<const std::uint8_t>(harness.reply).first(*again))
                ->sequence,
            0u);
  // After the idle timeout both remaining sessions expire instead of being evicted.
  ASSERT_TRUE(harness.Send(sender.Packet(1), "127.0.0.1", 4, kStart + std::chrono::seconds(11))
                  .has_value());
  EXPECT_EQ(harness.reflector.counters().sessions_expired, 2u);
  EXPECT_EQ(harness.reflector.counters().sessions_evicted, 2u);
  EXPECT_EQ(harness.reflector.session_count(), 1u);
}

TEST(SessionReflectorTest, SourceTableIsBounded) {
  ReflectorOptions options = LoopbackOptions();
  options.max_sources = 8;
  Harness harness(options);
  Sender sender(stamp::StampCodec::Unauthenticated());
  for (int i = 1; i <= 20; ++i) {
    std::string address = "127.0.2." + std::to_string(i);
    ASSERT_TRUE(harness.Send(sender.Packet(1), address.c_str(), 1).has_value());
  }
  EXPECT_EQ(harness.reflector.source_count(), 8u);
  EXPECT_EQ(harness.reflector.counters().sources_evicted, 12u);
}

TEST(SessionReflectorTest, NeverSendsMoreBytesThanItReceivesUnderRandomTraffic) {
  ReflectorOptions options = LoopbackOptions();
  options.per_source = {.packets_per_second = 1000, .burst = 1000};
  Harness harness(options);
  Sender sender(stamp::StampCodec::Unauthenticated(), 44);
  std::mt19937 random(12345);
  std::uniform_int_distribution<int> size_of(0, 300);
  std::uniform_int_distribution<int> source_of(1, 5);
  for (int i = 0; i < 5'000; ++i) {
    std::vector<std::uint8_t> bytes = sender.Packet(static_cast<std::uint32_t>(i));
    bytes.resize(static_cast<std::size_t>(size_of(random)), 0);
    std::string address = "127.0.3." + std::to_string(source_of(random));
    auto result = harness.Send(bytes, address.c_str(), 5, kStart + milliseconds(i));
    if (result) {
      ASSERT_EQ(*result, bytes.size());
    }
  }
  const ReflectorCounters& counters = harness.reflector.counters();
  EXPECT_LE(counters.reflected_bytes, counters.received_bytes);
  EXPECT_EQ(counters.received_packets, counters.reflected_packets + counters.refused_total());
  EXPECT_GT(counters.reflected_packets, 0u);
  EXPECT_GT(counters.refused_for(RefusalReason::kTooShort), 0u);
}

}  // namespace
}  // namespace linkmon::reflector
