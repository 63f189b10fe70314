#include "probe/passive/packet_parser.h"

#include <gtest/gtest.h>

#include "probe/passive/site_prefixes.h"
#include "tests/probe/passive/packet_builder.h"

namespace linkmon::passive {
namespace {

using testing::BuildTcpFrame;
using testing::TcpFrame;

constexpr int kEthernet = 1;

TEST(PacketParserTest, DecodesIpv4TcpWithTimestamps) {
  auto frame = BuildTcpFrame({.source = "10.0.0.1",
                              .destination = "10.0.1.1",
                              .source_port = 40000,
                              .destination_port = 5201,
                              .sequence = 7,
                              .acknowledgment = 9,
                              .flags = kTcpAck,
                              .tsval = 123456,
                              .tsecr = 654321,
                              .payload_bytes = 100});
  auto packet = ParsePacket(kEthernet, frame);
  ASSERT_TRUE(packet) << packet.error().message;
  EXPECT_EQ(FormatIpAddress(packet->source), "10.0.0.1");
  EXPECT_EQ(FormatIpAddress(packet->destination), "10.0.1.1");
  EXPECT_EQ(packet->ip_bytes, 20u + 32 + 100);
  EXPECT_EQ(packet->protocol, 6);
  ASSERT_TRUE(packet->tcp);
  EXPECT_EQ(packet->tcp->source_port, 40000);
  EXPECT_EQ(packet->tcp->destination_port, 5201);
  EXPECT_EQ(packet->tcp->sequence, 7u);
  EXPECT_EQ(packet->tcp->acknowledgment, 9u);
  EXPECT_EQ(packet->tcp->flags, kTcpAck);
  EXPECT_EQ(packet->tcp->payload_bytes, 100u);
  ASSERT_TRUE(packet->tcp->timestamps);
  EXPECT_EQ(packet->tcp->timestamps->value, 123456u);
  EXPECT_EQ(packet->tcp->timestamps->echo, 654321u);
}

TEST(PacketParserTest, DecodesIpv6BehindVlanTag) {
  auto frame = BuildTcpFrame({.source = "fd00::1",
                              .destination = "fd00:1::2",
                              .flags = kTcpSyn,
                              .tsval = 5,
                              .vlan = true});
  auto packet = ParsePacket(kEthernet, frame);
  ASSERT_TRUE(packet) << packet.error().message;
  EXPECT_TRUE(packet->source.v6);
  EXPECT_EQ(FormatIpAddress(packet->destination), "fd00:1::2");
  EXPECT_EQ(packet->ip_bytes, 40u + 32);
  ASSERT_TRUE(packet->tcp);
  EXPECT_EQ(packet->tcp->flags, kTcpSyn);
  EXPECT_EQ(packet->tcp->timestamps->value, 5u);
}

TEST(PacketParserTest, SkipsIpv6ExtensionHeaders) {
  auto frame = BuildTcpFrame({.source = "fd00::1", .destination = "fd00::2", .tsval = 77});
  // Insert an 8-byte hop-by-hop header between the IPv6 header (at 14) and TCP
  // (at 54).
  std::vector<std::uint8_t> hop = {6, 0, 1, 4, 0, 0, 0, 0};  // next TCP, PadN
  frame.insert(frame.begin() + 54, hop.begin(), hop.end());
  frame[14 + 6] = 0;  // next header: hop-by-hop
  frame[14 + 5] = static_cast<std::uint8_t>(frame[14 + 5] + 8);
  auto packet = ParsePacket(kEthernet, frame);
  ASSERT_TRUE(packet) << packet.error().message;
  ASSERT_TRUE(packet->tcp);
  EXPECT_EQ(packet->tcp->timestamps->value, 77u);
}

TEST(PacketParserTest, DecodesRawAndCookedFrames) {
  auto ethernet = BuildTcpFrame({.tsval = 1});
  std::vector<std::uint8_t> raw(ethernet.begin() + 14, ethernet.end());
  auto from_raw = ParsePacket(12, raw);
  ASSERT_TRUE(from_raw) << from_raw.error().message;
  EXPECT_EQ(FormatIpAddress(from_raw->source), "10.0.0.1");

  std::vector<std::uint8_t> cooked(16, 0);
  cooked[14] = 0x08;
  cooked.insert(cooked.end(), raw.begin(), raw.end());
  auto from_cooked = ParsePacket(113, cooked);
  ASSERT_TRUE(from_cooked) << from_cooked.error().message;
  EXPECT_EQ(from_cooked->tcp->timestamps->value, 1u);
}

TEST(PacketParserTest, NonIpFrameIsUnsupportedNotMalformed) {
  std::vector<std::uint8_t> arp(42, 0);
  arp[12] = 0x08;
  arp[13] = 0x06;
  auto packet = ParsePacket(kEthernet, arp);
  ASSERT_FALSE(packet);
  EXPECT_EQ(packet.error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(ParsePacket(147, arp).error().code, ErrorCode::kUnsupported);
}

TEST(PacketParserTest, RefusesTruncatedAndInconsistentHeaders) {
  auto frame = BuildTcpFrame({.tsval = 1});
  // Cut inside the TCP options: the snap length was too small.
  std::vector<std::uint8_t> cut(frame.begin(), frame.begin() + 14 + 20 + 25);
  auto truncated = ParsePacket(kEthernet, cut);
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().code, ErrorCode::kParse);
  EXPECT_EQ(truncated.error().message, "tcp: options not captured (snap length too small)");

  auto bad_offset = frame;
  bad_offset[14 + 20 + 12] = 0x30;  // data offset 3
  EXPECT_EQ(ParsePacket(kEthernet, bad_offset).error().message, "tcp: data offset below 5");

  auto bad_option = frame;
  bad_option[14 + 20 + 23] = 12;  // timestamp option claims 12 bytes
  EXPECT_EQ(ParsePacket(kEthernet, bad_option).error().message, "tcp: option length out of bounds");

  auto zero_length = frame;
  zero_length[14 + 20 + 23] = 0;
  EXPECT_EQ(ParsePacket(kEthernet, zero_length).error().message,
            "tcp: option length out of bounds");

  auto short_total = frame;
  short_total[14 + 2] = 0;
  short_total[14 + 3] = 10;  // total length below the header
  EXPECT_EQ(ParsePacket(kEthernet, short_total).error().message, "ipv4: total length below header");

  std::vector<std::uint8_t> tiny(frame.begin(), frame.begin() + 20);
  EXPECT_EQ(ParsePacket(kEthernet, tiny).error().message, "ipv4: truncated header");
}

TEST(PacketParserTest, NonFirstFragmentHasNoTcpHeader) {
  auto frame = BuildTcpFrame({.tsval = 1});
  frame[14 + 6] = 0x00;
  frame[14 + 7] = 0x10;  // fragment offset 16 (x 8 bytes)
  auto packet = ParsePacket(kEthernet, frame);
  ASSERT_TRUE(packet) << packet.error().message;
  EXPECT_EQ(packet->protocol, 6);
  EXPECT_FALSE(packet->tcp);
}

TEST(SitePrefixMapTest, LongestPrefixWinsAndBadPrefixesAreRefused) {
  auto lanzhou = *TargetName::Make("lanzhou");
  auto gansu = *TargetName::Make("gansu");
  auto map = SitePrefixMap::Create({{gansu, boost::asio::ip::make_address("10.20.0.0"), 16},
                                    {lanzhou, boost::asio::ip::make_address("10.20.3.0"), 24},
                                    {lanzhou, boost::asio::ip::make_address("fd00:20::"), 32}});
  ASSERT_TRUE(map) << map.error().message;
  auto at = [&](const char *text) {
    auto site = map->Find(ToIpAddress(boost::asio::ip::make_address(text)));
    return site ? map->sites()[*site].str() : std::string("none");
  };
  EXPECT_EQ(at("10.20.3.9"), "lanzhou");
  EXPECT_EQ(at("10.20.4.9"), "gansu");
  EXPECT_EQ(at("10.21.0.1"), "none");
  EXPECT_EQ(at("fd00:20::5"), "lanzhou");
  EXPECT_EQ(at("::ffff:10.20.3.1"), "lanzhou");

  auto host_bits = SitePrefixMap::Create({{gansu, boost::asio::ip::make_address("10.20.0.1"), 16}});
  ASSERT_FALSE(host_bits);
  EXPECT_EQ(host_bits.error().message,
            "passive: prefix 10.20.0.1/16: host bits set beyond the length");
  auto twice = SitePrefixMap::Create({{gansu, boost::asio::ip::make_address("10.20.0.0"), 16},
                                      {lanzhou, boost::asio::ip::make_address("10.20.0.0"), 16}});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().message, "passive: prefix 10.20.0.0/16 given to two sites");
}

}  // namespace
}  // namespace linkmon::passive
