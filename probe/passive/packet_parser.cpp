#include "probe/passive/packet_parser.h"

#include <algorithm>
#include <string>

#include "probe/net/big_endian.h"

namespace linkmon::passive {
namespace {

using net::GetU16;
using net::GetU32;

constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
constexpr std::uint16_t kEtherTypeIpv6 = 0x86DD;
constexpr std::uint16_t kEtherTypeVlan = 0x8100;
constexpr std::uint16_t kEtherTypeQinQ = 0x88A8;
constexpr std::uint8_t kProtocolTcp = 6;
constexpr int kMaxVlanTags = 2;
constexpr int kMaxIpv6ExtensionHeaders = 8;

Error ParseError(std::string message) { return Error{ErrorCode::kParse, std::move(message)}; }

// Where the IP header starts and which version the link layer announced (0:
// read it from the header itself).
struct NetworkLayer {
  std::size_t offset = 0;
  std::uint16_t ether_type = 0;
};

Result<NetworkLayer> SkipLinkLayer(int link_type, std::span<const std::uint8_t> frame) {
  switch (static_cast<LinkType>(link_type)) {
    case LinkType::kEthernet: {
      // Destination MAC (6), source MAC (6), EtherType (2); 802.1Q / 802.1ad tags
      // put 4 bytes (TPID, TCI) before the real EtherType.
      std::size_t offset = 12;
      for (int tags = 0;; ++tags) {
        if (frame.size() < offset + 2) return tl::unexpected(ParseError("ethernet: truncated"));
        const std::uint16_t type = GetU16(&frame[offset]);
        if (type != kEtherTypeVlan && type != kEtherTypeQinQ) {
          return NetworkLayer{offset + 2, type};
        }
        if (tags == kMaxVlanTags) return tl::unexpected(ParseError("ethernet: too many VLAN tags"));
        offset += 4;
      }
    }
    case LinkType::kLinuxCooked:
      // Packet type (2), ARPHRD (2), address length (2), address (8), protocol
      // (2).
      if (frame.size() < 16) return tl::unexpected(ParseError("linux cooked: truncated"));
      return NetworkLayer{16, GetU16(&frame[14])};
    case LinkType::kLinuxCooked2:
      // Protocol (2), reserved (2), interface index (4), ARPHRD (2), packet type
      // (1), address length (1), address (8).
      if (frame.size() < 20) return tl::unexpected(ParseError("linux cooked v2: truncated"));
      return NetworkLayer{20, GetU16(&frame[0])};
    case LinkType::kRaw:
    case LinkType::kLinktypeRaw:
      return NetworkLayer{0, 0};
    case LinkType::kIpv4:
      return NetworkLayer{0, kEtherTypeIpv4};
    case LinkType::kIpv6:
      return NetworkLayer{0, kEtherTypeIpv6};
  }
  return tl::unexpected(
      Error{ErrorCode::kUnsupported, "link type " + std::to_string(link_type) + " not supported"});
}

// TCP header (RFC 9293 section 3.1) and options; `available` is what was
// captured of the segment, `segment_bytes` its length from the IP header.
Status ParseTcp(std::span<const std::uint8_t> available, std::uint32_t segment_bytes,
                TcpSegment &tcp) {
  if (available.size() < 20 || segment_bytes < 20) {
    return tl::unexpected(ParseError("tcp: truncated header"));
  }
  tcp.source_port = GetU16(&available[0]);
  tcp.destination_port = GetU16(&available[2]);
  tcp.sequence = GetU32(&available[4]);
  tcp.acknowledgment = GetU32(&available[8]);
  const std::size_t header_bytes = static_cast<std::size_t>(available[12] >> 4) * 4;
  tcp.flags = available[13];
  if (header_bytes < 20) return tl::unexpected(ParseError("tcp: data offset below 5"));
  if (header_bytes > segment_bytes) {
    return tl::unexpected(ParseError("tcp: data offset beyond the segment"));
  }
  if (header_bytes > available.size()) {
    return tl::unexpected(ParseError("tcp: options not captured (snap length too small)"));
  }
  tcp.payload_bytes = segment_bytes - static_cast<std::uint32_t>(header_bytes);
  // Options: kind 0 ends the list, kind 1 is one byte of padding, every other
  // kind has a length byte counting kind and length. Timestamps (RFC 7323
  // section 3.2): kind 8, length 10, TSval, TSecr.
  std::size_t at = 20;
  while (at < header_bytes) {
    const std::uint8_t kind = available[at];
    if (kind == 0) break;
    if (kind == 1) {
      ++at;
      continue;
    }
    if (at + 2 > header_bytes) return tl::unexpected(ParseError("tcp: option without length"));
    const std::size_t length = available[at + 1];
    if (length < 2 || at + length > header_bytes) {
      return tl::unexpected(ParseError("tcp: option length out of bounds"));
    }
    if (kind == 8) {
      if (length != 10) return tl::unexpected(ParseError("tcp: timestamp option length not 10"));
      tcp.timestamps = TcpTimestamps{GetU32(&available[at + 2]), GetU32(&available[at + 6])};
    }
    at += length;
  }
  return {};
}

Status ParseIpv4(std::span<const std::uint8_t> ip, ParsedPacket &packet) {
  // RFC 791 section 3.1.
  if (ip.size() < 20) return tl::unexpected(ParseError("ipv4: truncated header"));
  if ((ip[0] >> 4) != 4) return tl::unexpected(ParseError("ipv4: version is not 4"));
  const std::size_t header_bytes = std::size_t{ip[0] & 0x0Fu} * 4;
  const std::uint16_t total = GetU16(&ip[2]);
  if (header_bytes < 20) return tl::unexpected(ParseError("ipv4: header length below 5"));
  if (total < header_bytes) return tl::unexpected(ParseError("ipv4: total length below header"));
  if (ip.size() < header_bytes) return tl::unexpected(ParseError("ipv4: truncated options"));
  packet.ip_bytes = total;
  packet.protocol = ip[9];
  packet.source.v6 = packet.destination.v6 = false;
  std::copy_n(&ip[12], 4, packet.source.bytes.begin());
  std::copy_n(&ip[16], 4, packet.destination.bytes.begin());
  const std::uint16_t fragment_offset = GetU16(&ip[6]) & 0x1FFF;
  if (packet.protocol != kProtocolTcp || fragment_offset != 0) return {};
  const std::size_t captured = std::min<std::size_t>(ip.size(), total);
  TcpSegment tcp;
  auto parsed = ParseTcp(ip.subspan(header_bytes, captured - header_bytes),
                         static_cast<std::uint32_t>(total - header_bytes), tcp);
  if (!parsed) return parsed;
  packet.tcp = tcp;
  return {};
}

Status ParseIpv6(std::span<const std::uint8_t> ip, ParsedPacket &packet) {
  // RFC 8200 sections 3 and 4.
  if (ip.size() < 40) return tl::unexpected(ParseError("ipv6: truncated header"));
  if ((ip[0] >> 4) != 6) return tl::unexpected(ParseError("ipv6: version is not 6"));
  const std::uint32_t payload = GetU16(&ip[4]);
  packet.ip_bytes = 40 + payload;
  packet.source.v6 = packet.destination.v6 = true;
  std::copy_n(&ip[8], 16, packet.source.bytes.begin());
  std::copy_n(&ip[24], 16, packet.destination.bytes.begin());
  std::uint8_t next = ip[6];
  std::size_t at = 40;
  const std::size_t end = std::min<std::size_t>(ip.size(), packet.ip_bytes);
  for (int headers = 0;; ++headers) {
    const bool extension = next == 0 || next == 43 || next == 44 || next == 60;
    if (!extension) break;
    if (headers == kMaxIpv6ExtensionHeaders) {
      return tl::unexpected(ParseError("ipv6: too many extension headers"));
    }
    if (at + 8 > end) return tl::unexpected(ParseError("ipv6: truncated extension header"));
    if (next == 44) {
      // Fragment header: 8 bytes; only the first fragment carries the TCP
      // header.
      const std::uint16_t offset = GetU16(&ip[at + 2]) >> 3;
      next = ip[at];
      at += 8;
      if (offset != 0) {
        packet.protocol = next;
        return {};
      }
      continue;
    }
    const std::size_t length = (std::size_t{ip[at + 1]} + 1) * 8;
    next = ip[at];
    at += length;
  }
  packet.protocol = next;
  if (next != kProtocolTcp) return {};
  if (at > end) return tl::unexpected(ParseError("ipv6: extension headers beyond the packet"));
  TcpSegment tcp;
  auto parsed =
      ParseTcp(ip.subspan(at, end - at), static_cast<std::uint32_t>(packet.ip_bytes - at), tcp);
  if (!parsed) return parsed;
  packet.tcp = tcp;
  return {};
}

}  // namespace

bool IsSupportedLinkType(int link_type) {
  switch (static_cast<LinkType>(link_type)) {
    case LinkType::kEthernet:
    case LinkType::kRaw:
    case LinkType::kLinuxCooked:
    case LinkType::kLinktypeRaw:
    case LinkType::kIpv4:
    case LinkType::kIpv6:
    case LinkType::kLinuxCooked2:
      return true;
  }
  return false;
}

Result<ParsedPacket> ParsePacket(int link_type, std::span<const std::uint8_t> frame) {
  auto layer = SkipLinkLayer(link_type, frame);
  if (!layer) return tl::unexpected(layer.error());
  std::span<const std::uint8_t> ip = frame.subspan(layer->offset);
  std::uint16_t type = layer->ether_type;
  if (type == 0) {
    if (ip.empty()) return tl::unexpected(ParseError("ip: empty"));
    type = (ip[0] >> 4) == 6 ? kEtherTypeIpv6 : kEtherTypeIpv4;
  }
  ParsedPacket packet;
  Status parsed;
  if (type == kEtherTypeIpv4) {
    parsed = ParseIpv4(ip, packet);
  } else if (type == kEtherTypeIpv6) {
    parsed = ParseIpv6(ip, packet);
  } else {
    return tl::unexpected(Error{ErrorCode::kUnsupported, "not an IP frame"});
  }
  if (!parsed) return tl::unexpected(parsed.error());
  return packet;
}

}  // namespace linkmon::passive
