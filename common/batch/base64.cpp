#include "common/batch/base64.h"

#include <array>

namespace linkmon::batch {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::uint8_t kInvalid = 0xff;

constexpr std::array<std::uint8_t, 256> MakeDecodeTable() {
  std::array<std::uint8_t, 256> table{};
  for (auto& entry : table) entry = kInvalid;
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::uint8_t>(i);
  }
  return table;
}

constexpr std::array<std::uint8_t, 256> kDecodeTable = MakeDecodeTable();

tl::unexpected<Error> Invalid(std::string what) {
  return MakeError(ErrorCode::kParse, "base64: " + std::move(what));
}

}  // namespace

std::string EncodeBase64(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  AppendBase64(out, bytes);
  return out;
}

void AppendBase64(std::string& out, std::span<const std::uint8_t> bytes) {
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t group = (std::uint32_t{bytes[i]} << 16) |
                                (std::uint32_t{bytes[i + 1]} << 8) | std::uint32_t{bytes[i + 2]};
    out.push_back(kAlphabet[(group >> 18) & 0x3f]);
    out.push_back(kAlphabet[(group >> 12) & 0x3f]);
    out.push_back(kAlphabet[(group >> 6) & 0x3f]);
    out.push_back(kAlphabet[group & 0x3f]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t group = std::uint32_t{bytes[i]} << 16;
    out.push_back(kAlphabet[(group >> 18) & 0x3f]);
    out.push_back(kAlphabet[(group >> 12) & 0x3f]);
    out.append("==");
  } else if (rest == 2) {
    const std::uint32_t group =
        (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8);
    out.push_back(kAlphabet[(group >> 18) & 0x3f]);
    out.push_back(kAlphabet[(group >> 12) & 0x3f]);
    out.push_back(kAlphabet[(group >> 6) & 0x3f]);
    out.push_back('=');
  }
}

Result<std::vector<std::uint8_t>> DecodeBase64(std::string_view text) {
  std::vector<std::uint8_t> out;
  if (auto decoded = DecodeBase64Into(text, out); !decoded) return tl::unexpected(decoded.error());
  return out;
}

Status DecodeBase64Into(std::string_view text, std::vector<std::uint8_t>& out) {
  out.clear();
  if (text.size() % 4 != 0) {
    return Invalid("length " + std::to_string(text.size()) + " is not a multiple of 4");
  }
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;

  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const std::size_t symbols = last ? 4 - padding : 4;
    std::uint32_t group = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      std::uint8_t value = 0;
      if (j < symbols) {
        value = kDecodeTable[static_cast<unsigned char>(text[i + j])];
        if (value == kInvalid) {
          return Invalid("character at offset " + std::to_string(i + j) +
                         " is not in the base64 alphabet");
        }
      }
      group = (group << 6) | value;
    }
    out.push_back(static_cast<std::uint8_t>(group >> 16));
    if (symbols >= 3) out.push_back(static_cast<std::uint8_t>(group >> 8));
    if (symbols == 4) out.push_back(static_cast<std::uint8_t>(group));
    // Bits encoded but not part of any byte must be zero, so each byte string has one spelling.
    if ((symbols == 2 && (group & 0xffff) != 0) || (symbols == 3 && (group & 0xff) != 0)) {
      return Invalid("non-zero padding bits in the last group");
    }
  }
  return {};
}

}  // namespace linkmon::batch
