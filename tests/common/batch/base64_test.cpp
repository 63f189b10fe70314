#include "common/batch/base64.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace linkmon::batch {
namespace {

std::vector<std::uint8_t> Bytes(std::string_view text) {
  return std::vector<std::uint8_t>(text.begin(), text.end());
}

// RFC 4648 section 10 test vectors.
TEST(Base64Test, EncodesRfc4648Vectors) {
  EXPECT_EQ(EncodeBase64(Bytes("")), "");
  EXPECT_EQ(EncodeBase64(Bytes("f")), "Zg==");
  EXPECT_EQ(EncodeBase64(Bytes("fo")), "Zm8=");
  EXPECT_EQ(EncodeBase64(Bytes("foo")), "Zm9v");
  EXPECT_EQ(EncodeBase64(Bytes("foob")), "Zm9vYg==");
  EXPECT_EQ(EncodeBase64(Bytes("fooba")), "Zm9vYmE=");
  EXPECT_EQ(EncodeBase64(Bytes("foobar")), "Zm9vYmFy");
}

TEST(Base64Test, DecodesRfc4648Vectors) {
  for (std::string_view plain : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    auto decoded = DecodeBase64(EncodeBase64(Bytes(plain)));
    ASSERT_TRUE(decoded.has_value()) << plain;
    EXPECT_EQ(*decoded, Bytes(plain));
  }
}

TEST(Base64Test, RoundTripsEveryByteValueAndLength) {
  std::vector<std::uint8_t> bytes;
  for (int i = 0; i < 300; ++i) {
    bytes.push_back(static_cast<std::uint8_t>(i * 7 + 3));
    auto decoded = DecodeBase64(EncodeBase64(bytes));
    ASSERT_TRUE(decoded.has_value()) << i;
    ASSERT_EQ(*decoded, bytes);
  }
}

TEST(Base64Test, RefusesNonCanonicalAndForeignInput) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"Zg=", "base64: length 3 is not a multiple of 4"},
      {"Zg", "base64: length 2 is not a multiple of 4"},
      {"Zh==", "base64: non-zero padding bits in the last group"},
      {"Zm9=", "base64: non-zero padding bits in the last group"},
      {"Z===", "base64: character at offset 1 is not in the base64 alphabet"},
      {"Zg==Zg==", "base64: character at offset 2 is not in the base64 alphabet"},
      {"Zm9v\nYmFy", "base64: length 9 is not a multiple of 4"},
      {"Zm-v", "base64: character at offset 2 is not in the base64 alphabet"},
      {"Zm_v", "base64: character at offset 2 is not in the base64 alphabet"},
      {"====", "base64: character at offset 0 is not in the base64 alphabet"},
  };
  for (const Case& c : cases) {
    auto decoded = DecodeBase64(c.text);
    ASSERT_FALSE(decoded.has_value()) << c.text;
    EXPECT_EQ(decoded.error().code, ErrorCode::kParse);
    EXPECT_EQ(decoded.error().message, c.message) << c.text;
  }
}

}  // namespace
}  // namespace linkmon::batch
