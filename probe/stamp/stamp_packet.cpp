#include "probe/stamp/stamp_packet.h"

#include <algorithm>

#include <fmt/format.h>

#include "probe/net/big_endian.h"

namespace linkmon::stamp {

namespace {

using net::GetU16;
using net::GetU32;
using net::GetU64;
using net::PutU16;
using net::PutU32;
using net::PutU64;

// Byte offsets of each field; MBZ fields are whatever lies between them.
struct SenderLayout {
  std::size_t sequence;
  std::size_t timestamp;
  std::size_t error_estimate;
};

struct ReflectorLayout {
  std::size_t sequence;
  std::size_t timestamp;
  std::size_t error_estimate;
  std::size_t receive_timestamp;
  std::size_t sender_sequence;
  std::size_t sender_timestamp;
  std::size_t sender_error_estimate;
  std::size_t sender_ttl;
};

// RFC 8762 §4.2.1, Session-Sender, unauthenticated (44 bytes):
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  0|                        Sequence Number                        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  4|                          Timestamp                            |
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// 12|         Error Estimate        |                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
// 14|                         MBZ (30 octets)                       |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
constexpr SenderLayout kSenderUnauthenticated{.sequence = 0, .timestamp = 4, .error_estimate = 12};

// RFC 8762 §4.2.2, Session-Sender, authenticated (112 bytes):
//  0| Sequence Number (4) | 4| MBZ (12) | 16| Timestamp (8) | 24| Error Estimate (2) |
// 26| MBZ (70) | 96| HMAC (16)
constexpr SenderLayout kSenderAuthenticated{.sequence = 0, .timestamp = 16, .error_estimate = 24};

// RFC 8762 §4.3.1, Session-Reflector, unauthenticated (44 bytes):
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  0|                        Sequence Number                        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  4|                          Timestamp                            |
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// 12|         Error Estimate        |            MBZ                |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// 16|                          Receive Timestamp                    |
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// 24|                 Session-Sender Sequence Number                |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// 28|                  Session-Sender Timestamp                     |
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// 36| Session-Sender Error Estimate |            MBZ                |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// 40|Ses-Sender TTL |                   MBZ                         |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
constexpr ReflectorLayout kReflectorUnauthenticated{
    .sequence = 0,
    .timestamp = 4,
    .error_estimate = 12,
    .receive_timestamp = 16,
    .sender_sequence = 24,
    .sender_timestamp = 28,
    .sender_error_estimate = 36,
    .sender_ttl = 40,
};

// RFC 8762 §4.3.2, Session-Reflector, authenticated (112 bytes); every field starts a 16-byte
// block, padded with MBZ:
//  0| Sequence Number (4)                | 4| MBZ (12)
// 16| Timestamp (8)                      |24| Error Estimate (2) | 26| MBZ (6)
// 32| Receive Timestamp (8)              |40| MBZ (8)
// 48| Session-Sender Sequence Number (4) |52| MBZ (12)
// 64| Session-Sender Timestamp (8)       |72| Session-Sender Error Estimate (2) | 74| MBZ (6)
// 80| Ses-Sender TTL (1)                 |81| MBZ (15)
// 96| HMAC (16)
constexpr ReflectorLayout kReflectorAuthenticated{
    .sequence = 0,
    .timestamp = 16,
    .error_estimate = 24,
    .receive_timestamp = 32,
    .sender_sequence = 48,
    .sender_timestamp = 64,
    .sender_error_estimate = 72,
    .sender_ttl = 80,
};

const char* ModeName(AuthMode mode) {
  return mode == AuthMode::kAuthenticated ? "authenticated" : "unauthenticated";
}

}  // namespace

StampCodec StampCodec::Unauthenticated() { return StampCodec(std::nullopt); }

StampCodec StampCodec::Authenticated(HmacKey key) { return StampCodec(std::move(key)); }

std::size_t StampCodec::base_size() const {
  return key_ ? kAuthenticatedBaseSize : kUnauthenticatedBaseSize;
}

Status StampCodec::CheckLength(std::size_t size, const char* what) const {
  if (size >= base_size()) return {};
  return MakeError(ErrorCode::kParse,
                   fmt::format("stamp: {}-byte {} packet is shorter than the {}-byte {} base "
                               "format",
                               size, what, base_size(), ModeName(mode())));
}

Status StampCodec::Seal(std::span<std::uint8_t> datagram) const {
  if (!key_) return {};
  Result<Hmac> hmac = key_->Compute(datagram.first(kHmacCoveredSize));
  if (!hmac) return tl::unexpected(hmac.error());
  std::copy(hmac->begin(), hmac->end(), datagram.begin() + kHmacCoveredSize);
  return {};
}

Status StampCodec::Authenticate(std::span<const std::uint8_t> datagram) const {
  if (!key_) return {};
  auto hmac = datagram.subspan(kHmacCoveredSize).first<kHmacSize>();
  if (key_->Verify(datagram.first(kHmacCoveredSize), hmac)) return {};
  return MakeError(ErrorCode::kCorrupt, "stamp: HMAC does not match (wrong key or altered packet)");
}

Status StampCodec::EncodeSender(const SenderPacket& packet,
                                std::span<std::uint8_t> datagram) const {
  if (Status length = CheckLength(datagram.size(), "sender"); !length) return length;
  const SenderLayout& at = key_ ? kSenderAuthenticated : kSenderUnauthenticated;
  std::fill(datagram.begin(), datagram.end(), std::uint8_t{0});
  std::uint8_t* out = datagram.data();
  PutU32(out + at.sequence, packet.sequence);
  PutU64(out + at.timestamp, packet.timestamp);
  PutU16(out + at.error_estimate, packet.error_estimate.ToWire());
  return Seal(datagram);
}

Status StampCodec::EncodeReflector(const ReflectorPacket& packet,
                                   std::span<std::uint8_t> datagram) const {
  if (Status length = CheckLength(datagram.size(), "reflector"); !length) return length;
  const ReflectorLayout& at = key_ ? kReflectorAuthenticated : kReflectorUnauthenticated;
  std::fill(datagram.begin(), datagram.end(), std::uint8_t{0});
  std::uint8_t* out = datagram.data();
  PutU32(out + at.sequence, packet.sequence);
  PutU64(out + at.timestamp, packet.timestamp);
  PutU16(out + at.error_estimate, packet.error_estimate.ToWire());
  PutU64(out + at.receive_timestamp, packet.receive_timestamp);
  PutU32(out + at.sender_sequence, packet.sender_sequence);
  PutU64(out + at.sender_timestamp, packet.sender_timestamp);
  PutU16(out + at.sender_error_estimate, packet.sender_error_estimate.ToWire());
  out[at.sender_ttl] = packet.sender_ttl;
  return Seal(datagram);
}

Result<SenderPacket> StampCodec::DecodeSender(std::span<const std::uint8_t> datagram) const {
  if (Status length = CheckLength(datagram.size(), "sender"); !length) {
    return tl::unexpected(length.error());
  }
  if (Status auth = Authenticate(datagram); !auth) return tl::unexpected(auth.error());
  const SenderLayout& at = key_ ? kSenderAuthenticated : kSenderUnauthenticated;
  const std::uint8_t* in = datagram.data();
  return SenderPacket{
      .sequence = GetU32(in + at.sequence),
      .timestamp = GetU64(in + at.timestamp),
      .error_estimate = ErrorEstimate::FromWire(GetU16(in + at.error_estimate)),
  };
}

Result<ReflectorPacket> StampCodec::DecodeReflector(std::span<const std::uint8_t> datagram) const {
  if (Status length = CheckLength(datagram.size(), "reflector"); !length) {
    return tl::unexpected(length.error());
  }
  if (Status auth = Authenticate(datagram); !auth) return tl::unexpected(auth.error());
  const ReflectorLayout& at = key_ ? kReflectorAuthenticated : kReflectorUnauthenticated;
  const std::uint8_t* in = datagram.data();
  return ReflectorPacket{
      .sequence = GetU32(in + at.sequence),
      .timestamp = GetU64(in + at.timestamp),
      .error_estimate = ErrorEstimate::FromWire(GetU16(in + at.error_estimate)),
      .receive_timestamp = GetU64(in + at.receive_timestamp),
      .sender_sequence = GetU32(in + at.sender_sequence),
      .sender_timestamp = GetU64(in + at.sender_timestamp),
      .sender_error_estimate = ErrorEstimate::FromWire(GetU16(in + at.sender_error_estimate)),
      .sender_ttl = in[at.sender_ttl],
  };
}

}  // namespace linkmon::stamp
