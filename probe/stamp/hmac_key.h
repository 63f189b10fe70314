#pragma once

// The shared secret of STAMP authenticated mode and the HMAC it keys (RFC 8762 §4.4):
// HMAC-SHA-256 truncated to its first 128 bits, as IPsec does (RFC 4868).
//
// The key lives in a file holding it as hexadecimal text (`openssl rand -hex 32 > stamp.key`;
// whitespace and a trailing newline are ignored), 16 to 1024 bytes long. The file must be
// readable by its owner only: a key that others on the host can read authenticates nothing, so
// LoadFile refuses it and says which permission bits to clear.
//
// Thread-safety: const methods may be called concurrently.

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace linkmon::stamp {

inline constexpr std::size_t kHmacSize = 16;
using Hmac = std::array<std::uint8_t, kHmacSize>;

class HmacKey {
 public:
  static constexpr std::size_t kMinBytes = 16;
  static constexpr std::size_t kMaxBytes = 1024;

  static Result<HmacKey> FromBytes(std::span<const std::uint8_t> key);
  static Result<HmacKey> FromHex(std::string_view text);
  // Refuses a file that group or others may read or write (mode & 077), a file that is not a
  // regular file, and malformed contents; every message names the file.
  static Result<HmacKey> LoadFile(const std::filesystem::path& path);

  // HMAC-SHA-256(key, data) truncated to 16 bytes; fails only when OpenSSL runs out of memory.
  Result<Hmac> Compute(std::span<const std::uint8_t> data) const;
  // True when `mac` is the HMAC of `data`; compares in constant time so that a forger learns
  // nothing from how long a refusal took. False when the HMAC could not be computed.
  bool Verify(std::span<const std::uint8_t> data,
              std::span<const std::uint8_t, kHmacSize> mac) const;

 private:
  class Context;
  explicit HmacKey(std::shared_ptr<const Context> context);

  // The keyed OpenSSL MAC context, prepared once and duplicated per packet; it cleanses the key.
  std::shared_ptr<const Context> context_;
};

}  // namespace linkmon::stamp
