#include "probe/stamp/stamp_packet.h"

#include <array>
#include <vector>

#include <gtest/gtest.h>

namespace linkmon::stamp {
namespace {

// 2024-01-01T00:00:00.5Z in NTP format.
constexpr std::uint64_t kT1 = 0xe93c7f00'80000000ULL;
// S = 1, Z = 0, Scale = 10, Multiplier = 5.
constexpr ErrorEstimate kSynced{.synchronized = true, .scale = 10, .multiplier = 5};
constexpr ErrorEstimate kUnsynced{.synchronized = false, .scale = 0, .multiplier = 1};

const SenderPacket kSender{.sequence = 0x01020304, .timestamp = kT1, .error_estimate = kSynced};

const ReflectorPacket kReflector{
    .sequence = 7,
    .timestamp = kT1 + 0x100,
    .error_estimate = kUnsynced,
    .receive_timestamp = kT1 + 0x80,
    .sender_sequence = 0x01020304,
    .sender_timestamp = kT1,
    .sender_error_estimate = kSynced,
    .sender_ttl = 64,
};

// The key of the authenticated golden packets: bytes 1..32.
HmacKey GoldenKey() {
  std::array<std::uint8_t, 32> key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i + 1);
  return *HmacKey::FromBytes(key);
}

// Golden bytes, written out by hand from RFC 8762 §4.2.1; the MBZ tail is all zero.
std::vector<std::uint8_t> UnauthenticatedSenderGolden() {
  std::vector<std::uint8_t> bytes = {
      0x01, 0x02, 0x03, 0x04,                          // Sequence Number
      0xe9, 0x3c, 0x7f, 0x00, 0x80, 0x00, 0x00, 0x00,  // Timestamp
      0x8a, 0x05,                                      // Error Estimate
  };
  bytes.resize(44, 0);
  return bytes;
}

// RFC 8762 §4.3.1.
std::vector<std::uint8_t> UnauthenticatedReflectorGolden() {
  return {
      0x00, 0x00, 0x00, 0x07,                          // Sequence Number
      0xe9, 0x3c, 0x7f, 0x00, 0x80, 0x00, 0x01, 0x00,  // Timestamp (T3)
      0x00, 0x01, 0x00, 0x00,                          // Error Estimate, MBZ
      0xe9, 0x3c, 0x7f, 0x00, 0x80, 0x00, 0x00, 0x80,  // Receive Timestamp (T2)
      0x01, 0x02, 0x03, 0x04,                          // Session-Sender Sequence Number
      0xe9, 0x3c, 0x7f, 0x00, 0x80, 0x00, 0x00, 0x00,  // Session-Sender Timestamp (T1)
      0x8a, 0x05, 0x00, 0x00,                          // Session-Sender Error Estimate, MBZ
      0x40, 0x00, 0x00, 0x00,                          // Ses-Sender TTL, MBZ
  };
}

// RFC 8762 §4.2.2; the HMAC was computed independently (Python's hmac module over bytes 0..95).
std::vector<std::uint8_t> AuthenticatedSenderGolden() {
  std::vector<std::uint8_t> bytes(112, 0);
  const std::uint8_t head[] = {0x01, 0x02, 0x03, 0x04};
  const std::uint8_t timestamp[] = {0xe9, 0x3c, 0x7f, 0x00, 0x80, 0x00, 0x00, 0x00, 0x8a, 0x05};
  const std::uint8_t hmac[] = {0x2d, 0xcb, 0x67, 0xc0, 0xf5, 0xc0, 0x73, 0xa2,
                               0x35, 0x70, 0x98, 0xbf, 0xd0, 0x29, 0xc3, 0x60};
  std::copy(std::begin(head), std::end(head), bytes.begin());
  std::copy(std::begin(timestamp), std::end(timestamp), bytes.begin() + 16);
  std::copy(std::begin(hmac), std::end(hmac), bytes.begin() + 96);
  return bytes;
}

// RFC 8762 §4.3.2: each field at the start of a 16-byte block.
std::vector<std::uint8_t> AuthenticatedReflectorGolden() {
  std::vector<std::uint8_t> bytes(112, 0);
  auto put = [&bytes](std::size_t at, std::initializer_list<std::uint8_t> values) {
    std::copy(values.begin(), values.end(), bytes.begin() + static_cast<std::ptrdiff_t>(at));
  };
  put(0, {0x00, 0x00, 0x00, 0x07});
  put(16, {0xe9, 0x3c, 0x7f, 0x00, 0x80, 0x00, 0x01, 0x00, 0x00, 0x01});
  put(32, {0xe9, 0x3c, 0x7f, 0x00, 0x80, 0x00, 0x00, 0x80});
  put(48, {0x01, 0x02, 0x03, 0x04});
  put(64, {0xe9, 0x3c, 0x7f, 0x00, 0x80, 0x00, 0x00, 0x00, 0x8a, 0x05});
  put(80, {0x40});
  put(96, {0xad, 0xcf, 0x8b, 0xfa, 0xf4, 0xe4, 0x50, 0x3a, 0xd1, 0x91, 0xf8, 0xb7, 0x2c, 0x81, 0x0f,
           0x6e});
  return bytes;
}

TEST(StampCodecTest, UnauthenticatedSenderMatchesGoldenBytes) {
  StampCodec codec = StampCodec::Unauthenticated();
  EXPECT_EQ(codec.mode(), AuthMode::kUnauthenticated);
  EXPECT_EQ(codec.base_size(), 44u);
  std::vector<std::uint8_t> datagram(44, 0xff);
  ASSERT_TRUE(codec.EncodeSender(kSender, datagram).has_value());
  EXPECT_EQ(datagram, UnauthenticatedSenderGolden());
  EXPECT_EQ(*codec.DecodeSender(UnauthenticatedSenderGolden()), kSender);
}

TEST(StampCodecTest, UnauthenticatedReflectorMatchesGoldenBytes) {
  StampCodec codec = StampCodec::Unauthenticated();
  std::vector<std::uint8_t> datagram(44, 0xff);
  ASSERT_TRUE(codec.EncodeReflector(kReflector, datagram).has_value());
  EXPECT_EQ(datagram, UnauthenticatedReflectorGolden());
  EXPECT_EQ(*codec.DecodeReflector(UnauthenticatedReflectorGolden()), kReflector);
}

TEST(StampCodecTest, AuthenticatedSenderMatchesGoldenBytes) {
  StampCodec codec = StampCodec::Authenticated(GoldenKey());
  EXPECT_EQ(codec.mode(), AuthMode::kAuthenticated);
  EXPECT_EQ(codec.base_size(), 112u);
  std::vector<std::uint8_t> datagram(112, 0xff);
  ASSERT_TRUE(codec.EncodeSender(kSender, datagram).has_value());
  EXPECT_EQ(datagram, AuthenticatedSenderGolden());
  EXPECT_EQ(*codec.DecodeSender(AuthenticatedSenderGolden()), kSender);
}

TEST(StampCodecTest, AuthenticatedReflectorMatchesGoldenBytes) {
  StampCodec codec = StampCodec::Authenticated(GoldenKey());
  std::vector<std::uint8_t> datagram(112, 0xff);
  ASSERT_TRUE(codec.EncodeReflector(kReflector, datagram).has_value());
  EXPECT_EQ(datagram, AuthenticatedReflectorGolden());
  EXPECT_EQ(*codec.DecodeReflector(AuthenticatedReflectorGolden()), kReflector);
}

TEST(StampCodecTest, PaddingIsZeroOnEncodeAndIgnoredOnDecode) {
  StampCodec codec = StampCodec::Unauthenticated();
  std::vector<std::uint8_t> datagram(200, 0xff);
  ASSERT_TRUE(codec.EncodeSender(kSender, datagram).has_value());
  std::vector<std::uint8_t> expected = UnauthenticatedSenderGolden();
  expected.resize(200, 0);
  EXPECT_EQ(datagram, expected);
  datagram[150] = 0x55;  // padding and MBZ are not interpreted
  datagram[20] = 0x55;
  EXPECT_EQ(*codec.DecodeSender(datagram), kSender);
}

TEST(StampCodecTest, RefusesShortDatagramsWithTheSizes) {
  StampCodec plain = StampCodec::Unauthenticated();
  std::vector<std::uint8_t> short_datagram(43, 0);
  Result<SenderPacket> sender = plain.DecodeSender(short_datagram);
  ASSERT_FALSE(sender.has_value());
  EXPECT_EQ(sender.error().code, ErrorCode::kParse);
  EXPECT_EQ(sender.error().message,
            "stamp: 43-byte sender packet is shorter than the 44-byte unauthenticated base format");
  EXPECT_FALSE(plain.DecodeReflector({}).has_value());
  EXPECT_FALSE(plain.EncodeSender(kSender, short_datagram).has_value());

  StampCodec authenticated = StampCodec::Authenticated(GoldenKey());
  std::vector<std::uint8_t> unauth_sized(44, 0);
  EXPECT_EQ(authenticated.DecodeReflector(unauth_sized).error().message,
            "stamp: 44-byte reflector packet is shorter than the 112-byte authenticated base "
            "format");
  EXPECT_FALSE(authenticated.EncodeReflector(kReflector, unauth_sized).has_value());
}

TEST(StampCodecTest, AuthenticatedDecodeRefusesAnyAlteredCoveredByteOrWrongKey) {
  StampCodec codec = StampCodec::Authenticated(GoldenKey());
  std::vector<std::uint8_t> golden = AuthenticatedSenderGolden();
  for (std::size_t i = 0; i < 112; ++i) {
    std::vector<std::uint8_t> altered = golden;
    altered[i] ^= 0x01;
    Result<SenderPacket> decoded = codec.DecodeSender(altered);
    ASSERT_FALSE(decoded.has_value()) << "byte " << i;
    EXPECT_EQ(decoded.error().code, ErrorCode::kCorrupt);
  }
  // Padding after the base format is not covered (RFC 8762 §4.4).
  golden.resize(150, 0x77);
  EXPECT_TRUE(codec.DecodeSender(golden).has_value());

  std::array<std::uint8_t, 32> other{};
  StampCodec wrong_key = StampCodec::Authenticated(*HmacKey::FromBytes(other));
  EXPECT_EQ(wrong_key.DecodeSender(AuthenticatedSenderGolden()).error().message,
            "stamp: HMAC does not match (wrong key or altered packet)");
}

}  // namespace
}  // namespace linkmon::stamp
