#pragma once

// Variable-length integers for compact wire formats: LEB128 as in protobuf (7 bits per byte,
// least significant group first, high bit set on every byte but the last) and ZigZag for signed
// values (0, -1, 1, -2 ... -> 0, 1, 2, 3 ...), so that small magnitudes take one byte.
//
// The reader accepts only the shortest encoding of each value: a value has exactly one encoding,
// so a decoder that accepts a buffer and an encoder that writes it back produce the same bytes
// (the fuzz target checks this), and padding bytes cannot hide in a message.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace linkmon::histogram {

__extension__ using Uint128 = unsigned __int128;
__extension__ using Int128 = __int128;

void AppendVarintSlow(std::vector<std::uint8_t>& out, std::uint64_t value);
// Most values of a histogram's encoding (bucket deltas and counts) fit one byte: that case is
// inline, here.
inline void AppendVarint(std::vector<std::uint8_t>& out, std::uint64_t value) {
  if (value < 0x80) {
    out.push_back(static_cast<std::uint8_t>(value));
  } else {
    AppendVarintSlow(out, value);
  }
}
void AppendVarint128(std::vector<std::uint8_t>& out, Uint128 value);

constexpr std::uint64_t ZigZagEncode(std::int64_t value) {
  return (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63);
}
constexpr std::int64_t ZigZagDecode(std::uint64_t value) {
  return static_cast<std::int64_t>(value >> 1) ^ -static_cast<std::int64_t>(value & 1);
}
constexpr Uint128 ZigZagEncode128(Int128 value) {
  return (static_cast<Uint128>(value) << 1) ^ static_cast<Uint128>(value >> 127);
}
constexpr Int128 ZigZagDecode128(Uint128 value) {
  return static_cast<Int128>(value >> 1) ^ -static_cast<Int128>(value & 1);
}

// Reads a byte buffer front to back. Every failure is a kCorrupt error whose message starts with
// the reader's context and names the field and the byte offset:
//   "histogram: truncated reading bucket count at byte 17".
class ByteReader {
 public:
  ByteReader(std::span<const std::uint8_t> bytes, std::string_view context)
      : bytes_(bytes), context_(context) {}

  Result<std::uint8_t> ReadByte(std::string_view field);
  // At most 10 bytes; refuses values beyond 64 bits and non-shortest encodings. A one-byte
  // value (the common case) is read inline.
  Result<std::uint64_t> ReadVarint(std::string_view field) {
    if (offset_ < bytes_.size() && bytes_[offset_] < 0x80) return bytes_[offset_++];
    return ReadUnsigned<std::uint64_t>(field);
  }
  // At most 19 bytes; refuses values beyond 128 bits and non-shortest encodings.
  Result<Uint128> ReadVarint128(std::string_view field);

  std::size_t offset() const { return offset_; }
  std::size_t remaining() const { return bytes_.size() - offset_; }

  // A kCorrupt error in this reader's format, for checks made by the caller.
  tl::unexpected<Error> Fail(std::string_view what) const;

 private:
  template <typename Unsigned>
  Result<Unsigned> ReadUnsigned(std::string_view field);

  std::span<const std::uint8_t> bytes_;
  std::string context_;
  std::size_t offset_ = 0;
};

}  // namespace linkmon::histogram
