#include "probe/stamp/hmac_key.h"

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace linkmon::stamp {
namespace {

namespace fs = std::filesystem;

std::string Hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

std::span<const std::uint8_t> Bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("linkmon-hmac-key-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Write(const std::string& name, const std::string& contents, mode_t mode) {
    fs::path path = dir_ / name;
    std::ofstream(path) << contents;
    ::chmod(path.c_str(), mode);
    return path;
  }

  fs::path dir_;
};

TEST(HmacKeyTest, MatchesRfc4231TestCase6Truncated) {
  // RFC 4231 §4.7: a 131-byte key of 0xaa; HMAC-SHA-256 = 60e43159 1ee0b67f 0d8a26aa cbf5b77f
  // 8e0bc621 ..., of which STAMP keeps the first 16 bytes.
  std::array<std::uint8_t, 131> key_bytes{};
  key_bytes.fill(0xaa);
  Result<HmacKey> key = HmacKey::FromBytes(key_bytes);
  ASSERT_TRUE(key.has_value()) << key.error().message;
  Result<Hmac> mac = key->Compute(Bytes("Test Using Larger Than Block-Size Key - Hash Key First"));
  ASSERT_TRUE(mac.has_value());
  EXPECT_EQ(Hex(*mac), "60e431591ee0b67f0d8a26aacbf5b77f");
}

TEST(HmacKeyTest, VerifyAcceptsTheMacAndRefusesAnyChange) {
  Result<HmacKey> key = HmacKey::FromHex("000102030405060708090a0b0c0d0e0f");
  ASSERT_TRUE(key.has_value());
  Hmac mac = *key->Compute(Bytes("probe"));
  EXPECT_TRUE(key->Verify(Bytes("probe"), mac));
  EXPECT_FALSE(key->Verify(Bytes("probf"), mac));
  mac[15] ^= 1;
  EXPECT_FALSE(key->Verify(Bytes("probe"), mac));
}

TEST(HmacKeyTest, FromHexIgnoresWhitespaceAndRefusesBadText) {
  Result<HmacKey> spaced = HmacKey::FromHex(" 0001 0203\t0405060708090a0b0c0d0e0f\n");
  Result<HmacKey> plain = HmacKey::FromHex("000102030405060708090A0B0C0D0E0F");
  ASSERT_TRUE(spaced.has_value());
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(*spaced->Compute(Bytes("x")), *plain->Compute(Bytes("x")));

  EXPECT_EQ(HmacKey::FromHex("zz").error().code, ErrorCode::kParse);
  EXPECT_EQ(HmacKey::FromHex("000").error().message, "stamp key: odd number of hexadecimal digits");
  EXPECT_EQ(HmacKey::FromHex("0001").error().message,
            "stamp key: 2 bytes long, must be 16 to 1024 bytes");
}

TEST_F(KeyFileTest, LoadsAnOwnerOnlyFile) {
  fs::path path =
      Write("ok.key", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n", 0600);
  Result<HmacKey> key = HmacKey::LoadFile(path);
  ASSERT_TRUE(key.has_value()) << key.error().message;
  EXPECT_EQ(*key->Compute(Bytes("x")),
            *HmacKey::FromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
                 ->Compute(Bytes("x")));
}

TEST_F(KeyFileTest, RefusesAKeyThatGroupOrOthersCanRead) {
  const std::string hex = "000102030405060708090a0b0c0d0e0f";
  for (mode_t mode : {0644, 0640, 0604, 0620, 0602}) {
    fs::path path = Write("shared.key", hex, mode);
    Result<HmacKey> key = HmacKey::LoadFile(path);
    ASSERT_FALSE(key.has_value()) << std::oct << mode;
    EXPECT_EQ(key.error().code, ErrorCode::kPermission);
    char expected_mode[8];
    std::snprintf(expected_mode, sizeof expected_mode, "%04o", static_cast<unsigned>(mode));
    EXPECT_EQ(key.error().message, "stamp key file " + path.string() + ": mode " + expected_mode +
                                       " lets group or others access the key; run chmod 600 on it");
  }
}

TEST_F(KeyFileTest, RefusesMissingDirectoryAndMalformedFiles) {
  EXPECT_EQ(HmacKey::LoadFile(dir_ / "missing.key").error().message,
            "stamp key file " + (dir_ / "missing.key").string() + ": No such file or directory");
  ::chmod(dir_.c_str(), 0700);
  EXPECT_EQ(HmacKey::LoadFile(dir_).error().message,
            "stamp key file " + dir_.string() + ": not a regular file");
  fs::path bad = Write("bad.key", "not hex at all", 0600);
  EXPECT_EQ(HmacKey::LoadFile(bad).error().code, ErrorCode::kParse);
  EXPECT_NE(HmacKey::LoadFile(bad).error().message.find(bad.string()), std::string::npos);
  fs::path huge = Write("huge.key", std::string(5000, 'a'), 0600);
  EXPECT_EQ(HmacKey::LoadFile(huge).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace linkmon::stamp
