#include "common/histogram/varint.h"

#include <climits>

namespace linkmon::histogram {

namespace {

template <typename Unsigned>
void AppendUnsigned(std::vector<std::uint8_t>& out, Unsigned value) {
  while (value >= 0x80) {
    out.push_back(static_cast<std::uint8_t>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(value));
}

}  // namespace

void AppendVarintSlow(std::vector<std::uint8_t>& out, std::uint64_t value) {
  AppendUnsigned(out, value);
}

void AppendVarint128(std::vector<std::uint8_t>& out, Uint128 value) { AppendUnsigned(out, value); }

tl::unexpected<Error> ByteReader::Fail(std::string_view what) const {
  return MakeError(ErrorCode::kCorrupt, context_ + ": " + std::string(what));
}

Result<std::uint8_t> ByteReader::ReadByte(std::string_view field) {
  if (offset_ >= bytes_.size()) {
    return Fail("truncated reading " + std::string(field) + " at byte " + std::to_string(offset_));
  }
  return bytes_[offset_++];
}

template <typename Unsigned>
Result<Unsigned> ByteReader::ReadUnsigned(std::string_view field) {
  // sizeof, not numeric_limits: libstdc++ leaves numeric_limits<__int128> empty in strict ISO mode.
  constexpr int kBits = static_cast<int>(sizeof(Unsigned) * CHAR_BIT);
  constexpr int kMaxBytes = (kBits + 6) / 7;
  const std::size_t start = offset_;
  Unsigned value = 0;
  for (int i = 0; i < kMaxBytes; ++i) {
    if (offset_ >= bytes_.size()) {
      return Fail("truncated reading " + std::string(field) + " at byte " +
                  std::to_string(offset_));
    }
    const std::uint8_t byte = bytes_[offset_++];
    const int shift = 7 * i;
    const auto group = static_cast<Unsigned>(byte & 0x7f);
    // The last possible byte may only carry the bits that are left.
    if (shift + 7 > kBits && (group >> (kBits - shift)) != 0) {
      return Fail(std::string(field) + " at byte " + std::to_string(start) + " overflows " +
                  std::to_string(kBits) + " bits");
    }
    value |= group << shift;
    if ((byte & 0x80) == 0) {
      if (byte == 0 && i > 0) {
        return Fail(std::string(field) + " at byte " + std::to_string(start) +
                    " is not in its shortest encoding");
      }
      return value;
    }
  }
  return Fail(std::string(field) + " at byte " + std::to_string(start) + " is longer than " +
              std::to_string(kMaxBytes) + " bytes");
}

// ReadVarint (inline in the header) calls this for values of more than one byte.
template Result<std::uint64_t> ByteReader::ReadUnsigned<std::uint64_t>(std::string_view field);

Result<Uint128> ByteReader::ReadVarint128(std::string_view field) {
  return ReadUnsigned<Uint128>(field);
}

}  // namespace linkmon::histogram
