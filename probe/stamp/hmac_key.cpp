#include "probe/stamp/hmac_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

namespace linkmon::stamp {

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Holds the key bytes in a buffer that is wiped when it goes away, including on error paths.
struct WipedBytes {
  std::vector<std::uint8_t> bytes;
  ~WipedBytes() {
    if (!bytes.empty()) OPENSSL_cleanse(bytes.data(), bytes.size());
  }
};

}  // namespace

class HmacKey::Context {
 public:
  Context(EVP_MAC* mac, EVP_MAC_CTX* ctx) : mac_(mac), ctx_(ctx) {}
  ~Context() {
    EVP_MAC_CTX_free(ctx_);
    EVP_MAC_free(mac_);
  }
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  EVP_MAC_CTX* keyed() const { return ctx_; }

 private:
  EVP_MAC* mac_;
  EVP_MAC_CTX* ctx_;  // initialised with the key and SHA-256; OpenSSL cleanses it on free
};

HmacKey::HmacKey(std::shared_ptr<const Context> context) : context_(std::move(context)) {}

Result<HmacKey> HmacKey::FromBytes(std::span<const std::uint8_t> key) {
  if (key.size() < kMinBytes || key.size() > kMaxBytes) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("stamp key: {} bytes long, must be {} to {} bytes", key.size(),
                                 kMinBytes, kMaxBytes));
  }
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) return MakeError(ErrorCode::kUnsupported, "stamp key: OpenSSL has no HMAC");
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  auto context = std::make_shared<const Context>(mac, ctx);
  if (ctx == nullptr)
    return MakeError(ErrorCode::kIo, "stamp key: cannot allocate an HMAC context");
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  if (EVP_MAC_init(ctx, key.data(), key.size(), params) != 1) {
    return MakeError(ErrorCode::kUnsupported, "stamp key: OpenSSL refused HMAC-SHA-256");
  }
  return HmacKey(std::move(context));
}

Result<HmacKey> HmacKey::FromHex(std::string_view text) {
  WipedBytes key;
  key.bytes.reserve(text.size() / 2);
  int high = -1;
  for (char c : text) {
    if (IsSpace(c)) continue;
    int digit = HexDigit(c);
    if (digit < 0) {
      return MakeError(ErrorCode::kParse,
                       "stamp key: not hexadecimal text (found a character "
                       "other than 0-9, a-f, A-F or whitespace)");
    }
    if (high < 0) {
      high = digit;
    } else {
      key.bytes.push_back(static_cast<std::uint8_t>((high << 4) | digit));
      high = -1;
    }
  }
  if (high >= 0) {
    return MakeError(ErrorCode::kParse, "stamp key: odd number of hexadecimal digits");
  }
  return FromBytes(key.bytes);
}

Result<HmacKey> HmacKey::LoadFile(const std::filesystem::path& path) {
  // Open first, then fstat the open file, so the checked file is the one read.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    return MakeError(errno == EACCES ? ErrorCode::kPermission : ErrorCode::kIo,
                     fmt::format("stamp key file {}: {}", path.string(), std::strerror(errno)));
  }
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    return MakeError(ErrorCode::kIo,
                     fmt::format("stamp key file {}: {}", path.string(), std::strerror(errno)));
  }
  if (!S_ISREG(info.st_mode)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("stamp key file {}: not a regular file", path.string()));
  }
  if ((info.st_mode & 077) != 0) {
    return MakeError(ErrorCode::kPermission,
                     fmt::format("stamp key file {}: mode {:04o} lets group or others access the "
                                 "key; run chmod 600 on it",
                                 path.string(), info.st_mode & 07777));
  }
  constexpr std::size_t kMaxFileBytes = 4 * HmacKey::kMaxBytes;  // hex, with room for whitespace
  std::string text(kMaxFileBytes + 1, '\0');
  std::size_t length = 0;
  while (length < text.size()) {
    ssize_t got = ::read(fd, text.data() + length, text.size() - length);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      OPENSSL_cleanse(text.data(), text.size());
      return MakeError(ErrorCode::kIo,
                       fmt::format("stamp key file {}: {}", path.string(), std::strerror(errno)));
    }
    if (got == 0) break;
    length += static_cast<std::size_t>(got);
  }
  Result<HmacKey> key = length > kMaxFileBytes
                            ? MakeError(ErrorCode::kInvalidArgument,
                                        fmt::format("stamp key file {}: longer than {} bytes",
                                                    path.string(), kMaxFileBytes))
                            : FromHex(std::string_view(text.data(), length));
  OPENSSL_cleanse(text.data(), text.size());
  if (!key) {
    return MakeError(key.error().code,
                     fmt::format("stamp key file {}: {}", path.string(), key.error().message));
  }
  return key;
}

Result<Hmac> HmacKey::Compute(std::span<const std::uint8_t> data) const {
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> full{};
  std::size_t full_size = 0;
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(context_->keyed());
  bool ok = ctx != nullptr && EVP_MAC_update(ctx, data.data(), data.size()) == 1 &&
            EVP_MAC_final(ctx, full.data(), &full_size, full.size()) == 1 && full_size >= kHmacSize;
  EVP_MAC_CTX_free(ctx);
  Hmac truncated{};
  if (ok) std::memcpy(truncated.data(), full.data(), kHmacSize);
  OPENSSL_cleanse(full.data(), full.size());
  // Duplicating a keyed context fails only when memory runs out.
  if (!ok) return MakeError(ErrorCode::kIo, "stamp hmac: OpenSSL failed to compute HMAC-SHA-256");
  return truncated;
}

bool HmacKey::Verify(std::span<const std::uint8_t> data,
                     std::span<const std::uint8_t, kHmacSize> mac) const {
  Result<Hmac> expected = Compute(data);
  return expected.has_value() && CRYPTO_memcmp(expected->data(), mac.data(), kHmacSize) == 0;
}

}  // namespace linkmon::stamp
