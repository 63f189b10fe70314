#include "probe/icmp/echo_packet.h"

#include <algorithm>
#include <random>

#include <fmt/format.h>

#include "probe/net/big_endian.h"

namespace linkmon::icmp {

namespace {

constexpr std::uint8_t kEchoRequestV4 = 8;
constexpr std::uint8_t kEchoReplyV4 = 0;
constexpr std::uint8_t kEchoRequestV6 = 128;
constexpr std::uint8_t kEchoReplyV6 = 129;
constexpr std::uint8_t kProtocolIcmp = 1;

// Skips the IPv4 header a raw socket delivers (RFC 791 §3.1) and reads its TTL.
Result<std::span<const std::uint8_t>> StripIpv4Header(std::span<const std::uint8_t> datagram,
                                                      std::optional<std::uint8_t>& ttl) {
  if (datagram.size() < 20) {
    return MakeError(
        ErrorCode::kParse,
        fmt::format("icmp: {}-byte datagram is shorter than an IPv4 header", datagram.size()));
  }
  int version = datagram[0] >> 4;
  std::size_t header_size = static_cast<std::size_t>(datagram[0] & 0x0f) * 4;
  if (version != 4 || header_size < 20 || header_size > datagram.size()) {
    return MakeError(ErrorCode::kParse, "icmp: malformed IPv4 header");
  }
  if (datagram[9] != kProtocolIcmp) {
    return MakeError(ErrorCode::kParse, "icmp: IPv4 packet does not carry ICMP");
  }
  ttl = datagram[8];
  return datagram.subspan(header_size);
}

}  // namespace

std::string_view SocketKindName(SocketKind kind) {
  return kind == SocketKind::kRaw ? "raw" : "datagram";
}

Cookie RandomCookie() {
  std::random_device device;  // getrandom(2) on Linux
  Cookie cookie;
  for (std::size_t i = 0; i < cookie.size(); i += 4) {
    std::uint32_t word = device();
    for (std::size_t j = 0; j < 4; ++j) cookie[i + j] = static_cast<std::uint8_t>(word >> (8 * j));
  }
  return cookie;
}

std::uint16_t InternetChecksum(std::span<const std::uint8_t> bytes) {
  std::uint32_t sum = 0;
  std::size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) sum += net::GetU16(bytes.data() + i);
  if (i < bytes.size()) sum += static_cast<std::uint32_t>(bytes[i]) << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

Status EncodeEchoRequest(IpVersion version, const EchoRequest& request, const Cookie& cookie,
                         std::span<std::uint8_t> packet) {
  if (packet.size() < kMinEchoSize) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("icmp: echo of {} bytes is shorter than the {}-byte minimum",
                                 packet.size(), kMinEchoSize));
  }
  std::fill(packet.begin(), packet.end(), std::uint8_t{0});
  std::uint8_t* out = packet.data();
  out[0] = version == IpVersion::kV4 ? kEchoRequestV4 : kEchoRequestV6;
  out[1] = 0;
  net::PutU16(out + 4, request.identifier);
  net::PutU16(out + 6, static_cast<std::uint16_t>(request.sequence));
  std::copy(cookie.begin(), cookie.end(), out + 8);
  net::PutU32(out + 16, request.flow);
  net::PutU32(out + 20, request.sequence);
  if (version == IpVersion::kV4) net::PutU16(out + 2, InternetChecksum(packet));
  return {};
}

Result<EchoReply> DecodeEchoReply(IpVersion version, SocketKind kind,
                                  std::span<const std::uint8_t> datagram) {
  EchoReply reply;
  std::span<const std::uint8_t> message = datagram;
  if (version == IpVersion::kV4 && kind == SocketKind::kRaw) {
    Result<std::span<const std::uint8_t>> stripped = StripIpv4Header(datagram, reply.ttl);
    if (!stripped) return tl::unexpected(stripped.error());
    message = *stripped;
  }
  if (message.size() < kIcmpHeaderSize) {
    return MakeError(
        ErrorCode::kParse,
        fmt::format("icmp: {}-byte message is shorter than the ICMP header", message.size()));
  }
  std::uint8_t expected_type = version == IpVersion::kV4 ? kEchoReplyV4 : kEchoReplyV6;
  if (message[0] != expected_type || message[1] != 0) {
    return MakeError(
        ErrorCode::kUnsupported,
        fmt::format("icmp: type {} code {} is not an echo reply", message[0], message[1]));
  }
  if (message.size() < kMinEchoSize) {
    return MakeError(
        ErrorCode::kParse,
        fmt::format("icmp: {}-byte echo reply is too short to be linkmon's", message.size()));
  }
  if (version == IpVersion::kV4 && InternetChecksum(message) != 0) {
    return MakeError(ErrorCode::kCorrupt, "icmp: echo reply checksum does not match");
  }
  reply.identifier = net::GetU16(message.data() + 4);
  std::copy(message.begin() + 8, message.begin() + 16, reply.cookie.begin());
  reply.flow = net::GetU32(message.data() + 16);
  reply.sequence = net::GetU32(message.data() + 20);
  // The header's 16 bits must agree with the payload's 32: a reply whose payload was spliced
  // onto another header is not a reply to what we sent.
  if (net::GetU16(message.data() + 6) != static_cast<std::uint16_t>(reply.sequence)) {
    return MakeError(ErrorCode::kParse, "icmp: header and payload sequence numbers disagree");
  }
  reply.icmp_size = message.size();
  return reply;
}

}  // namespace linkmon::icmp
