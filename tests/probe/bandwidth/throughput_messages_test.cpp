#include "probe/bandwidth/throughput_messages.h"

#include <gtest/gtest.h>

namespace linkmon::bandwidth {
namespace {

using std::chrono::milliseconds;

stamp::HmacKey Key(std::uint8_t seed) {
  std::array<std::uint8_t, 32> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(seed + i);
  return *stamp::HmacKey::FromBytes(bytes);
}

TestRequest Request() {
  TestRequest request{.mode = TestMode::kTcp,
                      .rate = Bandwidth{100'000'000},
                      .duration = milliseconds(5000),
                      .datagram_bytes = 0,
                      .nonce = {},
                      .sent_unix = std::chrono::nanoseconds(0x0102030405060708)};
  for (std::size_t i = 0; i < request.nonce.size(); ++i) {
    request.nonce[i] = static_cast<std::uint8_t>(0xA0 + i);
  }
  return request;
}

TEST(ThroughputMessagesTest, RequestHasItsDocumentedLayoutAndRoundTrips) {
  auto bytes = EncodeRequest(Request(), Key(1));
  ASSERT_TRUE(bytes);
  const std::array<std::uint8_t, 48> expected = {
      'L',  'M',  'T',  'Q',  1,    2,    0,    0,     // magic, version, mode
      0,    0,    0,    0,    0x05, 0xF5, 0xE1, 0x00,  // 100'000'000 bit/s
      0,    0,    0x13, 0x88, 0,    0,    0,    0,     // 5000 ms, size, rsvd
      0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9, 0xAA, 0xAB,  // nonce
      0xAC, 0xAD, 0xAE, 0xAF, 1,    2,    3,    4,    5,    6,    7,    8};    // time
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(), bytes->begin()));
  auto decoded = DecodeRequest(*bytes, Key(1));
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(*decoded, Request());
}

TEST(ThroughputMessagesTest, RequestRefusesOtherKeysTamperingAndGarbage) {
  auto bytes = *EncodeRequest(Request(), Key(1));
  auto other_key = DecodeRequest(bytes, Key(2));
  ASSERT_FALSE(other_key);
  EXPECT_EQ(other_key.error().code, ErrorCode::kPermission);
  EXPECT_EQ(other_key.error().message, "throughput request: HMAC does not verify");

  auto faster = bytes;
  faster[12] = 0x06;  // a higher rate under the old MAC
  EXPECT_EQ(DecodeRequest(faster, Key(1)).error().code, ErrorCode::kPermission);

  auto magic = bytes;
  magic[0] = 'X';
  EXPECT_EQ(DecodeRequest(magic, Key(1)).error().message, "throughput request: bad magic");
  auto mode = bytes;
  mode[5] = 3;
  EXPECT_EQ(DecodeRequest(mode, Key(1)).error().message, "throughput request: bad mode");
  auto version = bytes;
  version[4] = 2;
  EXPECT_EQ(DecodeRequest(version, Key(1)).error().code, ErrorCode::kUnsupported);
  auto reserved = bytes;
  reserved[22] = 1;
  EXPECT_EQ(DecodeRequest(reserved, Key(1)).error().message,
            "throughput request: reserved bytes not zero");
}

TEST(ThroughputMessagesTest, ResponseAndReportAreBoundToTheRequestNonce) {
  const Nonce nonce = Request().nonce;
  Nonce other = nonce;
  other[0] ^= 1;
  const TestResponse response{.verdict = TestVerdict::kAccepted,
                              .udp_port = 862,
                              .rate = Bandwidth{5'000'000},
                              .duration = milliseconds(2000),
                              .session = 0xDEADBEEF};
  auto response_bytes = *EncodeResponse(response, nonce, Key(1));
  EXPECT_EQ(*DecodeResponse(response_bytes, nonce, Key(1)), response);
  EXPECT_EQ(DecodeResponse(response_bytes, other, Key(1)).error().message,
            "throughput response: HMAC does not verify");
  auto verdict = response_bytes;
  verdict[5] = 9;
  EXPECT_EQ(DecodeResponse(verdict, nonce, Key(1)).error().message,
            "throughput response: unknown verdict");

  const TestReport report{.mode = TestMode::kUdp,
                          .datagrams = 1000,
                          .bytes = 1'400'000,
                          .arrival_span = std::chrono::nanoseconds(999'000'000),
                          .duplicates = 2,
                          .out_of_order = 3,
                          .bytes_above_rate = 4};
  auto report_bytes = *EncodeReport(report, nonce, Key(1));
  EXPECT_EQ(*DecodeReport(report_bytes, nonce, Key(1)), report);
  EXPECT_EQ(DecodeReport(report_bytes, other, Key(1)).error().code, ErrorCode::kPermission);
  auto span = report_bytes;
  span[24] = 0x80;  // a negative span
  EXPECT_FALSE(DecodeReport(span, nonce, Key(1)));
}

TEST(ThroughputMessagesTest, DatagramHeaderRoundTripsAndEchoIsTold) {
  std::array<std::uint8_t, 40> datagram{};
  const DatagramHeader header{7, 42, std::chrono::nanoseconds(123456789)};
  EncodeDatagramHeader(header, false,
                       std::span<std::uint8_t, kDatagramHeaderBytes>(datagram.data(), 20));
  EXPECT_EQ(*DecodeDatagramHeader(datagram, false), header);
  EXPECT_EQ(DecodeDatagramHeader(datagram, true).error().message, "throughput datagram: bad magic");
  EXPECT_EQ(DecodeDatagramHeader(std::span(datagram).first(19), false).error().message,
            "throughput datagram: shorter than its header");
}

}  // namespace
}  // namespace linkmon::bandwidth
