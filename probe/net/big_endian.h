#pragma once

// Network byte order reads and writes for the packet codecs (STAMP, ICMP). Callers check the
// buffer length first; these helpers only move bytes, so they stay branch-free and inlinable.

#include <cstdint>

namespace linkmon::net {

inline void PutU16(std::uint8_t* out, std::uint16_t value) {
  out[0] = static_cast<std::uint8_t>(value >> 8);
  out[1] = static_cast<std::uint8_t>(value);
}

inline void PutU32(std::uint8_t* out, std::uint32_t value) {
  PutU16(out, static_cast<std::uint16_t>(value >> 16));
  PutU16(out + 2, static_cast<std::uint16_t>(value));
}

inline void PutU64(std::uint8_t* out, std::uint64_t value) {
  PutU32(out, static_cast<std::uint32_t>(value >> 32));
  PutU32(out + 4, static_cast<std::uint32_t>(value));
}

inline std::uint16_t GetU16(const std::uint8_t* in) {
  return static_cast<std::uint16_t>((in[0] << 8) | in[1]);
}

inline std::uint32_t GetU32(const std::uint8_t* in) {
  return (std::uint32_t{GetU16(in)} << 16) | GetU16(in + 2);
}

inline std::uint64_t GetU64(const std::uint8_t* in) {
  return (std::uint64_t{GetU32(in)} << 32) | GetU32(in + 4);
}

}  // namespace linkmon::net
