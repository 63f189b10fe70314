#include "probe/icmp/echo_packet.h"

#include <vector>

#include <gtest/gtest.h>

namespace linkmon::icmp {
namespace {

const Cookie kCookie = {1, 2, 3, 4, 5, 6, 7, 8};

const EchoRequest kRequest{.identifier = 0x1234, .flow = 0x0a0b0c0d, .sequence = 0x00010002};

// Echo request kRequest, 28 bytes; checksum 0xbf9a worked out independently (RFC 1071
// one's-complement sum in Python).
const std::vector<std::uint8_t> kRequestV4 = {
    0x08, 0x00, 0xbf, 0x9a, 0x12, 0x34, 0x00, 0x02,  // type, code, checksum, identifier, seq
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,  // cookie
    0x0a, 0x0b, 0x0c, 0x0d, 0x00, 0x01, 0x00, 0x02,  // flow, sequence (32 bits)
    0x00, 0x00, 0x00, 0x00,                          // padding
};

// The matching reply: type 0, checksum recomputed (0xc79a).
std::vector<std::uint8_t> ReplyV4() {
  std::vector<std::uint8_t> reply = kRequestV4;
  reply[0] = 0x00;
  reply[2] = 0xc7;
  reply[3] = 0x9a;
  return reply;
}

// What a raw IPv4 socket delivers: a 20-byte IPv4 header (TTL 57, protocol 1) first.
std::vector<std::uint8_t> WithIpv4Header(const std::vector<std::uint8_t>& icmp) {
  const std::uint8_t header[20] = {0x45, 0x00, 0x00, static_cast<std::uint8_t>(20 + icmp.size()),
                                   0x00, 0x00, 0x40, 0x00,
                                   57,   1,    0x00, 0x00,
                                   127,  0,    0,    1,
                                   127,  0,    0,    1};
  std::vector<std::uint8_t> packet(sizeof header + icmp.size());
  std::copy(std::begin(header), std::end(header), packet.begin());
  std::copy(icmp.begin(), icmp.end(), packet.begin() + sizeof header);
  return packet;
}

TEST(EchoPacketTest, Ipv4RequestMatchesGoldenBytes) {
  std::vector<std::uint8_t> packet(28, 0xff);
  ASSERT_TRUE(EncodeEchoRequest(IpVersion::kV4, kRequest, kCookie, packet).has_value());
  EXPECT_EQ(packet, kRequestV4);
  EXPECT_EQ(InternetChecksum(packet), 0);
}

TEST(EchoPacketTest, Ipv6RequestLeavesTheChecksumToTheKernel) {
  std::vector<std::uint8_t> packet(28, 0xff);
  ASSERT_TRUE(EncodeEchoRequest(IpVersion::kV6, kRequest, kCookie, packet).has_value());
  std::vector<std::uint8_t> expected = kRequestV4;
  expected[0] = 128;
  expected[2] = 0;
  expected[3] = 0;
  EXPECT_EQ(packet, expected);
}

TEST(EchoPacketTest, RefusesRequestsTooSmallForTheCookie) {
  std::vector<std::uint8_t> packet(23);
  EXPECT_EQ(EncodeEchoRequest(IpVersion::kV4, kRequest, kCookie, packet).error().message,
            "icmp: echo of 23 bytes is shorter than the 24-byte minimum");
}

TEST(EchoPacketTest, NamesSocketKindsAsMetricsShowThem) {
  EXPECT_EQ(SocketKindName(SocketKind::kDatagram), "datagram");
  EXPECT_EQ(SocketKindName(SocketKind::kRaw), "raw");
}

TEST(EchoPacketTest, DecodesDatagramAndRawIpv4Replies) {
  Result<EchoReply> datagram = DecodeEchoReply(IpVersion::kV4, SocketKind::kDatagram, ReplyV4());
  ASSERT_TRUE(datagram.has_value()) << datagram.error().message;
  EXPECT_EQ(datagram->identifier, 0x1234);
  EXPECT_EQ(datagram->flow, 0x0a0b0c0du);
  EXPECT_EQ(datagram->sequence, 0x00010002u);
  EXPECT_EQ(datagram->cookie, kCookie);
  EXPECT_EQ(datagram->icmp_size, 28u);
  EXPECT_FALSE(datagram->ttl.has_value());

  Result<EchoReply> raw =
      DecodeEchoReply(IpVersion::kV4, SocketKind::kRaw, WithIpv4Header(ReplyV4()));
  ASSERT_TRUE(raw.has_value()) << raw.error().message;
  EXPECT_EQ(raw->sequence, 0x00010002u);
  EXPECT_EQ(raw->ttl, 57);
}

TEST(EchoPacketTest, DecodesIpv6Replies) {
  std::vector<std::uint8_t> reply = kRequestV4;
  reply[0] = 129;
  reply[2] = 0x12;  // ICMPv6 checksums are the kernel's business: any value passes here
  for (SocketKind kind : {SocketKind::kDatagram, SocketKind::kRaw}) {
    Result<EchoReply> decoded = DecodeEchoReply(IpVersion::kV6, kind, reply);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
    EXPECT_EQ(decoded->sequence, 0x00010002u);
  }
}

TEST(EchoPacketTest, RefusesWhatIsNotALinkmonEchoReply) {
  // Our own request, seen by a raw socket on loopback.
  EXPECT_EQ(DecodeEchoReply(IpVersion::kV4, SocketKind::kDatagram, kRequestV4).error().code,
            ErrorCode::kUnsupported);
  std::vector<std::uint8_t> corrupt = ReplyV4();
  corrupt[20] = 1;
  EXPECT_EQ(DecodeEchoReply(IpVersion::kV4, SocketKind::kDatagram, corrupt).error().message,
            "icmp: echo reply checksum does not match");
  EXPECT_EQ(DecodeEchoReply(IpVersion::kV6, SocketKind::kDatagram,
                            std::vector<std::uint8_t>{129, 0, 0, 0, 0, 0, 0, 0, 1})
                .error()
                .message,
            "icmp: 9-byte echo reply is too short to be linkmon's");
  EXPECT_EQ(DecodeEchoReply(IpVersion::kV4, SocketKind::kDatagram, {}).error().message,
            "icmp: 0-byte message is shorter than the ICMP header");
  EXPECT_EQ(DecodeEchoReply(IpVersion::kV4, SocketKind::kRaw, ReplyV4()).error().code,
            ErrorCode::kParse);  // no IPv4 header where one must be
  // A header sequence that disagrees with the payload's.
  std::vector<std::uint8_t> spliced = kRequestV4;
  spliced[0] = 129;
  spliced[7] = 0x03;
  EXPECT_EQ(DecodeEchoReply(IpVersion::kV6, SocketKind::kRaw, spliced).error().message,
            "icmp: header and payload sequence numbers disagree");
  std::vector<std::uint8_t> not_icmp = WithIpv4Header(ReplyV4());
  not_icmp[9] = 17;
  EXPECT_EQ(DecodeEchoReply(IpVersion::kV4, SocketKind::kRaw, not_icmp).error().message,
            "icmp: IPv4 packet does not carry ICMP");
}

TEST(EchoPacketTest, CookiesDifferBetweenCalls) {
  // 64 random bits: equal twice in a row with probability 2^-64.
  EXPECT_NE(RandomCookie(), RandomCookie());
}

}  // namespace
}  // namespace linkmon::icmp
