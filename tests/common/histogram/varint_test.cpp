#include "common/histogram/varint.h"

#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace linkmon::histogram {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes Encode(std::uint64_t value) {
  Bytes out;
  AppendVarint(out, value);
  return out;
}

TEST(VarintTest, GoldenEncodings) {
  // protobuf's documented examples: 1 -> 01, 150 -> 96 01, 300 -> ac 02.
  EXPECT_EQ(Encode(0), Bytes({0x00}));
  EXPECT_EQ(Encode(1), Bytes({0x01}));
  EXPECT_EQ(Encode(127), Bytes({0x7f}));
  EXPECT_EQ(Encode(128), Bytes({0x80, 0x01}));
  EXPECT_EQ(Encode(150), Bytes({0x96, 0x01}));
  EXPECT_EQ(Encode(300), Bytes({0xac, 0x02}));
  EXPECT_EQ(Encode(std::numeric_limits<std::uint64_t>::max()),
            Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
}

TEST(VarintTest, ZigZagMapsSmallMagnitudesToSmallCodes) {
  EXPECT_EQ(ZigZagEncode(0), 0u);
  EXPECT_EQ(ZigZagEncode(-1), 1u);
  EXPECT_EQ(ZigZagEncode(1), 2u);
  EXPECT_EQ(ZigZagEncode(-2), 3u);
  EXPECT_EQ(ZigZagEncode(std::numeric_limits<std::int64_t>::max()),
            std::numeric_limits<std::uint64_t>::max() - 1);
  EXPECT_EQ(ZigZagEncode(std::numeric_limits<std::int64_t>::min()),
            std::numeric_limits<std::uint64_t>::max());
  for (std::int64_t v :
       {std::int64_t{0}, std::int64_t{-1}, std::int64_t{1}, std::int64_t{-12345},
        std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min()}) {
    EXPECT_EQ(ZigZagDecode(ZigZagEncode(v)), v);
  }
  const Int128 big = -(Int128{1} << 120) - 7;
  EXPECT_EQ(ZigZagDecode128(ZigZagEncode128(big)), big);
  EXPECT_EQ(ZigZagEncode128(-1), Uint128{1});
}

TEST(VarintTest, RoundTripsRandomValues) {
  std::mt19937_64 rng(7);
  Bytes buffer;
  std::vector<std::uint64_t> values;
  std::vector<Uint128> wide;
  for (int i = 0; i < 2'000; ++i) {
    const std::uint64_t v = rng() >> (rng() % 64);
    const Uint128 w = (static_cast<Uint128>(rng()) << 64 | rng()) >> (rng() % 128);
    values.push_back(v);
    wide.push_back(w);
    AppendVarint(buffer, v);
    AppendVarint128(buffer, w);
  }
  ByteReader reader(buffer, "test");
  for (std::size_t i = 0; i < values.size(); ++i) {
    ASSERT_EQ(*reader.ReadVarint("v"), values[i]);
    ASSERT_TRUE(*reader.ReadVarint128("w") == wide[i]);
  }
  EXPECT_EQ(reader.remaining(), 0u);
}

TEST(VarintTest, RefusesTruncatedOverlongOverflowingAndPaddedEncodings) {
  {
    const Bytes bytes = {0x80, 0x80};
    ByteReader reader(bytes, "ctx");
    EXPECT_EQ(reader.ReadVarint("count").error().message, "ctx: truncated reading count at byte 2");
  }
  {
    const Bytes bytes(11, 0x80);
    ByteReader reader(bytes, "ctx");
    EXPECT_EQ(reader.ReadVarint("count").error().message,
              "ctx: count at byte 0 is longer than 10 bytes");
  }
  {
    // 2^64 needs a 65th bit: the tenth byte may only be 0 or 1.
    const Bytes bytes = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02};
    ByteReader reader(bytes, "ctx");
    EXPECT_EQ(reader.ReadVarint("count").error().message, "ctx: count at byte 0 overflows 64 bits");
  }
  {
    const Bytes bytes = {0x81, 0x00};  // 1 with a padding byte
    ByteReader reader(bytes, "ctx");
    EXPECT_EQ(reader.ReadVarint("count").error().message,
              "ctx: count at byte 0 is not in its shortest encoding");
  }
  {
    Bytes bytes(18, 0xff);
    bytes.push_back(0x04);  // bit 128
    ByteReader reader(bytes, "ctx");
    EXPECT_EQ(reader.ReadVarint128("sum").error().message, "ctx: sum at byte 0 overflows 128 bits");
  }
  {
    const Bytes bytes;
    ByteReader reader(bytes, "ctx");
    EXPECT_EQ(reader.ReadByte("version").error().code, ErrorCode::kCorrupt);
  }
}

}  // namespace
}  // namespace linkmon::histogram
