#include "common/histogram/histogram_codec.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <boost/crc.hpp>

namespace linkmon::histogram {
namespace {

using std::chrono::nanoseconds;
using Bytes = std::vector<std::uint8_t>;

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kS = 1'000'000'000;

LogHistogram Fill(std::initializer_list<std::int64_t> samples) {
  LogHistogram histogram;
  for (std::int64_t ns : samples) histogram.Record(nanoseconds(ns));
  return histogram;
}

// A histogram of `n` samples: log-uniform over the range, with a few zeros, negatives and
// overflows mixed in when `with_out_of_range`.
LogHistogram RandomHistogram(std::mt19937_64& rng, std::size_t n, bool with_out_of_range) {
  std::uniform_real_distribution<double> exponent(std::log(1e3), std::log(6e10));
  LogHistogram histogram;
  for (std::size_t i = 0; i < n; ++i) {
    histogram.Record(nanoseconds(static_cast<std::int64_t>(std::exp(exponent(rng)))));
  }
  if (with_out_of_range) {
    histogram.Record(nanoseconds(0));
    histogram.Record(nanoseconds(-7'000));
    histogram.Record(nanoseconds(3'600 * kS));
    histogram.Record(nanoseconds(std::numeric_limits<std::int64_t>::max()));
  }
  return histogram;
}

Error DecodeError(const Bytes& bytes) {
  auto result = DeserializeHistogram(bytes);
  EXPECT_FALSE(result.has_value()) << "accepted a corrupt input";
  return result.has_value() ? Error{ErrorCode::kIo, "accepted"} : result.error();
}

// Golden bytes, worked out by hand from the layout in histogram_codec.cpp.
TEST(HistogramCodecTest, GoldenBytes) {
  // {0 ns, 2 ms, 2 ms}. 2 ms is bucket 701 (bucket_layout_test.cpp).
  const Bytes expected = {
      0x01,                    // version 1
      0x03,                    // total_count 3
      0x01,                    // underflow_count 1 (the 0 ns sample)
      0x00,                    // overflow_count 0
      0x00,                    // min 0 ns: zigzag 0
      0x80, 0x92, 0xf4, 0x01,  // max 2'000'000 ns: zigzag 4'000'000 = 0x3d0900 in 7-bit groups
      0x80, 0xa4, 0xe8, 0x03,  // sum 4'000'000 ns: zigzag 8'000'000 = 0x7a1200
      0x01,                    // one non-empty bucket
      0xbd, 0x05,              // index 701 = 5 * 128 + 61
      0x02,                    // count 2
      0xff, 0x27, 0xc2, 0x34,  // CRC-32C 0x34c227ff of the 17 bytes above, little-endian
  };
  const LogHistogram histogram = Fill({0, 2 * kMs, 2 * kMs});
  EXPECT_EQ(SerializeHistogram(histogram), expected);
  auto decoded = DeserializeHistogram(expected);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  EXPECT_EQ(*decoded, histogram);

  // Empty: version, four zero varints, checksum.
  const Bytes empty = {0x01, 0x00, 0x00, 0x00, 0x00, 0x99, 0x19, 0x63, 0x7d};
  EXPECT_EQ(SerializeHistogram(LogHistogram()), empty);
  EXPECT_EQ(*DeserializeHistogram(empty), LogHistogram());
}

TEST(HistogramCodecTest, ChecksumIsCrc32c) {
  // The standard check value of CRC-32C (RFC 3720 B.4 and every CRC catalogue).
  const std::string check = "123456789";
  EXPECT_EQ(Crc32c(std::span(reinterpret_cast<const std::uint8_t*>(check.data()), check.size())),
            0xe3069283u);
}

TEST(HistogramCodecTest, ChecksumMatchesTheTableDrivenCrcAtEveryLengthAndAlignment) {
  // Crc32c takes the CPU's CRC instruction where it has one, 8 bytes at a time: every tail length
  // and start offset must give what a plain table-driven CRC-32C gives.
  std::mt19937 rng(32);
  std::vector<std::uint8_t> bytes(200);
  for (auto& byte : bytes) byte = static_cast<std::uint8_t>(rng());
  for (std::size_t offset = 0; offset < 8; ++offset) {
    for (std::size_t length = 0; offset + length <= bytes.size(); ++length) {
      boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true> reference;
      reference.process_bytes(bytes.data() + offset, length);
      ASSERT_EQ(Crc32c(std::span(bytes).subspan(offset, length)), reference.checksum())
          << "offset " << offset << " length " << length;
    }
  }
}

TEST(HistogramCodecTest, RoundTripsRandomAndExtremeHistograms) {
  std::mt19937_64 rng(11);
  std::vector<LogHistogram> histograms = {
      LogHistogram(),
      Fill({0}),
      Fill({std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()}),
      Fill({kMinTrackedNs, kMaxTrackedNs}),
  };
  for (int i = 0; i < 200; ++i) {
    histograms.push_back(RandomHistogram(rng, rng() % 5'000, (i % 2) == 0));
  }
  for (const LogHistogram& histogram : histograms) {
    const Bytes bytes = SerializeHistogram(histogram);
    auto decoded = DeserializeHistogram(bytes);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
    ASSERT_EQ(*decoded, histogram);
  }
}

TEST(HistogramCodecTest, TypicalIntervalIsSmall) {
  // 600 probes of a 20 ms path with 5 % spread: a few dozen buckets, under 100 bytes.
  std::mt19937_64 rng(12);
  std::normal_distribution<double> rtt(20e6, 1e6);
  LogHistogram histogram;
  for (int i = 0; i < 600; ++i) histogram.Record(nanoseconds(static_cast<std::int64_t>(rtt(rng))));
  EXPECT_LT(SerializeHistogram(histogram).size(), 100u);
}

TEST(HistogramCodecTest, EveryTruncationIsRefused) {
  std::mt19937_64 rng(13);
  const Bytes bytes = SerializeHistogram(RandomHistogram(rng, 500, true));
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    const Error error =
        DecodeError(Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(length)));
    EXPECT_EQ(error.code, ErrorCode::kCorrupt) << "length " << length;
    EXPECT_NE(error.message.find("truncated"), std::string::npos) << error.message;
  }
}

// Hand-made corruptions of the golden encoding of {1 ms, 2 ms, 2 ms}, one per check.
TEST(HistogramCodecTest, RefusesHandMadeCorruptionsWithSpecificErrors) {
  // 1 ms: zigzag 2'000'000 = 80 89 7a; 2 ms: zigzag 4'000'000 = 80 92 f4 01;
  // sum 5 ms: zigzag 10'000'000 = 80 ad e2 04; buckets 637 (= 4*128 + 125) and 701 (delta 64);
  // CRC-32C 0xa12b4abf. Structural faults are named before the (now stale) checksum is looked at.
  const Bytes good = {0x01, 0x03, 0x00, 0x00, 0x80, 0x89, 0x7a, 0x80, 0x92, 0xf4, 0x01, 0x80, 0xad,
                      0xe2, 0x04, 0x02, 0xfd, 0x04, 0x01, 0x40, 0x02, 0xbf, 0x4a, 0x2b, 0xa1};
  ASSERT_EQ(SerializeHistogram(Fill({1 * kMs, 2 * kMs, 2 * kMs})), good);
  ASSERT_TRUE(DeserializeHistogram(good).has_value());

  auto with = [&good](std::size_t at, std::initializer_list<std::uint8_t> replacement,
                      std::size_t erase = 1) {
    Bytes bytes = good;
    bytes.erase(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                bytes.begin() + static_cast<std::ptrdiff_t>(at + erase));
    bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(at), replacement);
    return bytes;
  };

  EXPECT_EQ(DecodeError({}).message,
            "histogram: truncated: 0 bytes, the smallest histogram takes 9");
  // Cut inside the buckets: the last 4 bytes are taken for the checksum, the rest is short.
  EXPECT_EQ(DecodeError(Bytes(good.begin(), good.end() - 1)).message,
            "histogram: truncated reading bucket count at byte 20");
  EXPECT_EQ(DecodeError(Bytes(good.begin(), good.end() - 2)).message,
            "histogram: truncated: claims 2 buckets but only 3 bytes follow");
  // min 1 ms -> 1'000'001 ns (zigzag 80 -> 82): still a consistent histogram, so only the
  // checksum can tell.
  Bytes min_changed = with(4, {0x82});
  char computed[9];
  std::snprintf(computed, sizeof computed, "%08x",
                Crc32c(std::span(min_changed).first(min_changed.size() - 4)));
  EXPECT_EQ(DecodeError(min_changed).message,
            "histogram: checksum mismatch: stored 0xa12b4abf, computed 0x" + std::string(computed));
  Error error = DecodeError(with(0, {0x02}));
  EXPECT_EQ(error.code, ErrorCode::kUnsupported);
  EXPECT_EQ(error.message, "histogram: wire version 2 is not supported (this build reads 1)");
  EXPECT_EQ(DecodeError(with(0, {0x00})).code, ErrorCode::kUnsupported);

  Bytes trailing = good;
  trailing.push_back(0x00);
  EXPECT_EQ(DecodeError(trailing).message, "histogram: 1 trailing bytes after the last bucket");

  // Second bucket's delta 0x40 -> 0x00: the same index twice.
  EXPECT_EQ(DecodeError(with(19, {0x00})).message,
            "histogram: bucket entry 1 repeats index 637: indexes must increase");
  // Second bucket's delta 64 -> 1014: index 1651, one past the last bucket.
  error = DecodeError(with(19, {0xf6, 0x07}));
  EXPECT_EQ(error.code, ErrorCode::kOutOfRange);
  EXPECT_EQ(error.message, "histogram: bucket entry 1 has index 1651, out of range 0..1650");
  // A delta far beyond the layout, which would overflow if added blindly.
  EXPECT_EQ(
      DecodeError(with(19, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})).message,
      "histogram: bucket entry 1 has index 637 + 18446744073709551615, out of range 0..1650");
  // A bucket stored with count 0.
  EXPECT_EQ(DecodeError(with(20, {0x00})).message, "histogram: bucket 701 is stored with count 0");
  // Bucket counts that overflow 64 bits.
  EXPECT_EQ(
      DecodeError(with(20, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})).message,
      "histogram: bucket counts overflow 64 bits");
  // total_count 3 -> 4: the totals do not add up.
  EXPECT_EQ(DecodeError(with(1, {0x04})).message,
            "histogram: total count 4 does not equal underflow 0 + overflow 0 + buckets 3");
  // underflow_count 0 -> 1, total unchanged.
  EXPECT_EQ(DecodeError(with(2, {0x01})).code, ErrorCode::kCorrupt);
  // min and max swapped: min > max.
  EXPECT_EQ(DecodeError(with(4, {0x80, 0x92, 0xf4, 0x01, 0x80, 0x89, 0x7a}, 7)).message,
            "histogram: min 2000000ns > max 1000000ns");
  // sum 5 ms -> 9 ms (zigzag 18'000'000 = 80 d1 ca 08): more than min + 2 * max.
  EXPECT_EQ(DecodeError(with(11, {0x80, 0xd1, 0xca, 0x08}, 4)).message,
            "histogram: sum 9000000ns is impossible for 3 samples between min and max");
  // A varint padded with a zero byte (total_count 3 as 83 00).
  EXPECT_EQ(DecodeError(with(1, {0x83, 0x00})).message,
            "histogram: total_count at byte 1 is not in its shortest encoding");
  // A varint that never ends within 10 bytes.
  EXPECT_EQ(
      DecodeError(with(1, {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}))
          .message,
      "histogram: total_count at byte 1 is longer than 10 bytes");
  // Claims 1651 buckets (the most there are) but five bytes follow.
  EXPECT_EQ(DecodeError(with(15, {0xf3, 0x0c})).message,
            "histogram: truncated: claims 1651 buckets but only 5 bytes follow");
  // Claims more buckets than exist: refused before any allocation.
  error = DecodeError(with(15, {0xff, 0xff, 0xff, 0xff, 0x0f}));
  EXPECT_EQ(error.code, ErrorCode::kOutOfRange);
  EXPECT_EQ(error.message, "histogram: claims 4294967295 non-empty buckets, but only 1651 exist");
}

// Random corruption of valid encodings: byte flips, bit flips, cuts, insertions, 1 to 3 of them.
// Decoding must never crash (the sanitizer build checks memory) and must refuse every one: the
// structural checks catch most, the CRC-32C the rest (flips that turn one valid histogram into
// another, e.g. in min, sum or a bucket index).
TEST(HistogramCodecTest, RandomCorruptionIsAlwaysRefused) {
  std::mt19937_64 rng(14);
  int rejected = 0;
  int structural = 0;
  for (int round = 0; round < 20'000; ++round) {
    const LogHistogram original = RandomHistogram(rng, 1 + rng() % 300, (round % 3) == 0);
    Bytes bytes = SerializeHistogram(original);
    const int mutations = 1 + static_cast<int>(rng() % 3);
    for (int m = 0; m < mutations; ++m) {
      const std::size_t at = rng() % bytes.size();
      switch (rng() % 4) {
        case 0:
          bytes[at] = static_cast<std::uint8_t>(rng());
          break;
        case 1:
          bytes[at] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
          break;
        case 2:
          bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                       static_cast<std::uint8_t>(rng()));
          break;
        default:
          bytes.erase(bytes.begin() + static_cast<std::ptrdiff_t>(at));
          break;
      }
      if (bytes.empty()) bytes.push_back(0x01);
    }
    if (bytes == SerializeHistogram(original)) continue;  // mutations that cancelled out
    auto decoded = DeserializeHistogram(bytes);
    ASSERT_FALSE(decoded.has_value()) << "round " << round << " accepted a corrupt input";
    ++rejected;
    if (decoded.error().message.find("checksum") == std::string::npos) ++structural;
  }
  std::cout << "random corruptions: " << rejected << " refused, " << structural
            << " of them by the structural checks, the rest by the checksum\n";
  EXPECT_GT(rejected, 19'000);
}

// The fuzz target's seed corpus (tests/common/histogram/corpus/histogram_codec/) holds valid
// encodings written by this test. The files double as golden bytes: if the encoder changes, this
// test fails; regenerate them with LINKMON_UPDATE_CORPUS=1 and bump kWireVersion if the layout
// changed.
TEST(HistogramCodecTest, SeedCorpusMatchesTheEncoder) {
  std::mt19937_64 rng(15);
  const std::vector<std::pair<std::string, LogHistogram>> seeds = {
      {"empty", LogHistogram()},
      {"zero_and_two_ms", Fill({0, 2 * kMs, 2 * kMs})},
      {"extremes", Fill({std::numeric_limits<std::int64_t>::min(), 0, kMinTrackedNs, kMaxTrackedNs,
                         std::numeric_limits<std::int64_t>::max()})},
      {"log_uniform_50", RandomHistogram(rng, 50, false)},
      {"wide_with_out_of_range", RandomHistogram(rng, 400, true)},
  };
  const std::filesystem::path dir =
      std::filesystem::path(LINKMON_SOURCE_DIR) / "tests/common/histogram/corpus/histogram_codec";
  const bool update = std::getenv("LINKMON_UPDATE_CORPUS") != nullptr;
  if (update) std::filesystem::create_directories(dir);
  for (const auto& [name, histogram] : seeds) {
    const Bytes bytes = SerializeHistogram(histogram);
    const std::filesystem::path file = dir / (name + ".bin");
    if (update) {
      std::ofstream(file, std::ios::binary)
          .write(reinterpret_cast<const char*>(bytes.data()),
                 static_cast<std::streamsize>(bytes.size()));
    }
    std::ifstream in(file, std::ios::binary);
    ASSERT_TRUE(in) << "missing " << file << " (run with LINKMON_UPDATE_CORPUS=1)";
    const Bytes stored((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(stored, bytes) << file;
    auto decoded = DeserializeHistogram(stored);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
    EXPECT_EQ(*decoded, histogram);
  }
}

}  // namespace
}  // namespace linkmon::histogram
