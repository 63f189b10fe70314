#pragma once

// ICMP echo request and reply, IPv4 (RFC 792) and IPv6 (RFC 4443 §4), with linkmon's payload:
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  0|     Type      |     Code      |          Checksum             |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  4|           Identifier          |     Sequence (low 16 bits)    |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  8|                 Cookie (8 random bytes per process)           |
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// 16|                 Flow (which target of this process)           |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// 20|                   Sequence (all 32 bits)                      |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// 24|                   zero padding to the packet size ...
//
// Type: 8 request / 0 reply (IPv4), 128 / 129 (IPv6); Code 0.
//
// How a reply finds its probe: the identifier says which socket sent it (a datagram ICMP socket's
// identifier is chosen by the kernel, which delivers only replies carrying it; a raw socket sees
// every ICMP packet of the host, so the identifier is checked here); the cookie says this process
// sent it (another pinger with the same identifier, or a forged reply, fails it); the flow says
// which target (all targets share one socket per IP version, and a reply's source address need
// not be the address probed); the 32-bit sequence says which probe, beyond the header's 16-bit
// wrap.
//
// What arrives on the socket: a raw IPv4 socket delivers the IPv4 header too (its TTL is read from
// there); raw IPv6 and datagram sockets deliver the ICMP message alone.
//
// Checksum: computed here for IPv4 (raw sockets send it as is; datagram sockets recompute it);
// the kernel computes ICMPv6's, which covers a pseudo-header of addresses (RFC 4443 §2.3).
// Received IPv4 checksums are verified here, since raw sockets deliver corrupt packets too.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "common/result.h"

namespace linkmon::icmp {

enum class IpVersion { kV4, kV6 };

// Raw sockets need CAP_NET_RAW; datagram ("ping") sockets need the group in ping_group_range.
enum class SocketKind { kDatagram, kRaw };
// "datagram" or "raw", as /metrics and `measure` name them.
std::string_view SocketKindName(SocketKind kind);

inline constexpr std::size_t kIcmpHeaderSize = 8;
// The smallest echo linkmon sends: header, cookie, flow and 32-bit sequence.
inline constexpr std::size_t kMinEchoSize = 24;
inline constexpr std::size_t kCookieSize = 8;

using Cookie = std::array<std::uint8_t, kCookieSize>;

// 8 bytes from the operating system's random source, chosen once per process.
Cookie RandomCookie();

struct EchoReply {
  std::uint16_t identifier = 0;
  std::uint32_t flow = 0;
  std::uint32_t sequence = 0;  // the payload's 32-bit sequence
  Cookie cookie{};
  std::size_t icmp_size = 0;        // ICMP header and payload
  std::optional<std::uint8_t> ttl;  // from the IPv4 header of raw sockets
};

// RFC 1071 Internet checksum of `bytes`.
std::uint16_t InternetChecksum(std::span<const std::uint8_t> bytes);

struct EchoRequest {
  std::uint16_t identifier = 0;
  std::uint32_t flow = 0;
  std::uint32_t sequence = 0;
};

// Writes an echo request filling `packet` (ICMP header and payload, at least kMinEchoSize).
Status EncodeEchoRequest(IpVersion version, const EchoRequest& request, const Cookie& cookie,
                         std::span<std::uint8_t> packet);

// Reads what an ICMP socket delivered. Errors: kUnsupported for ICMP messages that are not echo
// replies (a raw socket also sees requests, unreachables, other pingers' traffic); kParse for
// malformed or truncated data; kCorrupt for a bad IPv4 checksum. The caller compares identifier,
// cookie and sequence with what it sent.
Result<EchoReply> DecodeEchoReply(IpVersion version, SocketKind kind,
                                  std::span<const std::uint8_t> datagram);

}  // namespace linkmon::icmp
