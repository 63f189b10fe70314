#pragma once

// STAMP test packets (RFC 8762): what the Session-Sender sends (§4.2) and what the
// Session-Reflector returns (§4.3), in unauthenticated (44-byte base) and authenticated (112-byte
// base, HMAC-SHA-256-128 over the first 96 bytes, §4.4) mode. The wire layouts are drawn in
// stamp_packet.cpp next to the offsets that implement them.
//
// A datagram may be longer than its base format (Packet Padding, RFC 8762 §4.2.1): encoding
// zero-fills everything after the base format, decoding ignores it. MBZ fields are written as
// zero and ignored on read, since RFC 8972 extensions reuse some of them.
//
// The mode is agreed out of band (both ends configured alike); an unauthenticated codec reading
// an authenticated packet reads the wrong offsets, and the HMAC check catches the reverse.
//
// Thread-safety: a StampCodec is immutable; its methods may be called concurrently.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "common/result.h"
#include "probe/stamp/error_estimate.h"
#include "probe/stamp/hmac_key.h"

namespace linkmon::stamp {

inline constexpr std::size_t kUnauthenticatedBaseSize = 44;
inline constexpr std::size_t kAuthenticatedBaseSize = 112;
// Bytes covered by the HMAC in both directions (RFC 8762 §4.4).
inline constexpr std::size_t kHmacCoveredSize = 96;

enum class AuthMode { kUnauthenticated, kAuthenticated };

// Fields of a Session-Sender test packet.
struct SenderPacket {
  std::uint32_t sequence = 0;
  std::uint64_t timestamp = 0;  // T1, send time, in error_estimate.format
  ErrorEstimate error_estimate;

  bool operator==(const SenderPacket&) const = default;
};

// Fields of a Session-Reflector test packet.
struct ReflectorPacket {
  std::uint32_t sequence = 0;           // the reflector's own count per session (stateful mode)
  std::uint64_t timestamp = 0;          // T3, reflector send time
  ErrorEstimate error_estimate;         // the reflector's clock
  std::uint64_t receive_timestamp = 0;  // T2, reflector receive time
  std::uint32_t sender_sequence = 0;    // copied from the Session-Sender packet
  std::uint64_t sender_timestamp = 0;   // T1, copied
  ErrorEstimate sender_error_estimate;  // copied
  std::uint8_t sender_ttl = 0;          // TTL / Hop Limit of the sender's packet on arrival

  bool operator==(const ReflectorPacket&) const = default;
};

class StampCodec {
 public:
  static StampCodec Unauthenticated();
  static StampCodec Authenticated(HmacKey key);

  AuthMode mode() const { return key_ ? AuthMode::kAuthenticated : AuthMode::kUnauthenticated; }
  // 44 or 112: the shortest datagram this codec writes or accepts.
  std::size_t base_size() const;

  // Writes `packet` over the whole of `datagram` (base format, then zero padding). Fails when
  // `datagram` is shorter than base_size().
  Status EncodeSender(const SenderPacket& packet, std::span<std::uint8_t> datagram) const;
  Status EncodeReflector(const ReflectorPacket& packet, std::span<std::uint8_t> datagram) const;

  // Reads a received datagram. Errors: kParse when shorter than base_size(); kCorrupt when the
  // HMAC does not match (authenticated mode).
  Result<SenderPacket> DecodeSender(std::span<const std::uint8_t> datagram) const;
  Result<ReflectorPacket> DecodeReflector(std::span<const std::uint8_t> datagram) const;

 private:
  explicit StampCodec(std::optional<HmacKey> key) : key_(std::move(key)) {}

  Status CheckLength(std::size_t size, const char* what) const;
  Status Seal(std::span<std::uint8_t> datagram) const;
  Status Authenticate(std::span<const std::uint8_t> datagram) const;

  std::optional<HmacKey> key_;
};

}  // namespace linkmon::stamp
