#pragma once

// Decodes the headers of one captured frame for the passive analyser: the link
// layer libpcap reports, IPv4 or IPv6 (with extension headers), and a TCP
// header with its timestamp option. Only headers are read, so a capture can use
// a small snap length; payload bytes are never touched. Everything here is
// outside input: a frame either decodes or is refused with kParse naming the
// layer, never read out of bounds.

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "common/result.h"

namespace linkmon::passive {

// libpcap link types this parser understands (values of pcap_datalink(),
// DLT_*).
enum class LinkType : int {
  kEthernet = 1,       // DLT_EN10MB, also Linux loopback
  kRaw = 12,           // DLT_RAW on Linux: the frame starts with the IP header
  kLinuxCooked = 113,  // DLT_LINUX_SLL, the "any" device
  kLinktypeRaw = 101,  // LINKTYPE_RAW as written in pcap files
  kIpv4 = 228,         // DLT_IPV4
  kIpv6 = 229,         // DLT_IPV6
  kLinuxCooked2 = 276  // DLT_LINUX_SLL2
};

bool IsSupportedLinkType(int link_type);

// An IPv4 or IPv6 address as bytes in network order; IPv4 uses the first four.
struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};
  bool v6 = false;

  bool operator==(const IpAddress &) const = default;
};

// TCP flags (RFC 9293 section 3.1).
inline constexpr std::uint8_t kTcpFin = 0x01;
inline constexpr std::uint8_t kTcpSyn = 0x02;
inline constexpr std::uint8_t kTcpRst = 0x04;
inline constexpr std::uint8_t kTcpAck = 0x10;

struct TcpTimestamps {
  std::uint32_t value = 0;  // TSval
  std::uint32_t echo = 0;   // TSecr
};

struct TcpSegment {
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::uint32_t sequence = 0;
  std::uint32_t acknowledgment = 0;
  std::uint8_t flags = 0;
  std::uint32_t payload_bytes = 0;          // from the IP length, not from what was captured
  std::optional<TcpTimestamps> timestamps;  // RFC 7323 section 3, when the option is present
};

struct ParsedPacket {
  IpAddress source;
  IpAddress destination;
  std::uint32_t ip_bytes = 0;  // the IP packet's length as its header says
  std::uint8_t protocol = 0;   // upper-layer protocol (6 TCP, 17 UDP, ...)
  // Present for TCP packets whose header was captured; absent for other
  // protocols and for non-first fragments.
  std::optional<TcpSegment> tcp;
};

// `frame` is what libpcap captured (caplen bytes) of a frame of link type
// `link_type`. Refusals (kParse): unknown link type, a non-IP frame, a
// truncated or inconsistent IP or TCP header, a malformed TCP option list.
Result<ParsedPacket> ParsePacket(int link_type, std::span<const std::uint8_t> frame);

}  // namespace linkmon::passive
