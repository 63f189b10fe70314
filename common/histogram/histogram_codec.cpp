#include "common/histogram/histogram_codec.h"

#include <cstring>
#include <string>
#include <utility>

#include <boost/crc.hpp>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

#include "common/histogram/varint.h"

namespace linkmon::histogram {

// Declares `var` holding the value of a read, or returns the read's error from the function.
#define LINKMON_READ_OR_RETURN(var, expr)                                \
  auto var##_read = (expr);                                              \
  if (!var##_read) return tl::unexpected(std::move(var##_read.error())); \
  const auto var = *var##_read

namespace {

constexpr std::string_view kContext = "histogram";
constexpr std::size_t kChecksumBytes = 4;
// Version, four zero varints (empty histogram), checksum.
constexpr std::size_t kSmallestEncoding = 5 + kChecksumBytes;

void AppendChecksum(std::vector<std::uint8_t>& out) {
  const std::uint32_t crc = Crc32c(out);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(crc >> (8 * i)));
}

std::string Hex32(std::uint32_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text = "0x";
  for (int shift = 28; shift >= 0; shift -= 4) text.push_back(kDigits[(value >> shift) & 0xf]);
  return text;
}

}  // namespace

namespace {

std::uint32_t Crc32cPortable(std::span<const std::uint8_t> bytes) {
  boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true> crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}

#if defined(__x86_64__)
// SSE 4.2 has an instruction for exactly this polynomial: 8 bytes per instruction, about ten times
// the table-driven loop's speed. It matters on the probe, which checksums every spooled batch
// (~500 KB a second at 1,000 paths with 1 s summaries) besides each histogram.
__attribute__((target("sse4.2"))) std::uint32_t Crc32cSse42(std::span<const std::uint8_t> bytes) {
  const std::uint8_t* data = bytes.data();
  std::size_t size = bytes.size();
  std::uint64_t crc = 0xFFFFFFFF;
  for (; size >= 8; data += 8, size -= 8) {
    std::uint64_t word;
    std::memcpy(&word, data, sizeof word);
    crc = _mm_crc32_u64(crc, word);
  }
  auto crc32 = static_cast<std::uint32_t>(crc);
  for (; size > 0; ++data, --size) crc32 = _mm_crc32_u8(crc32, *data);
  return crc32 ^ 0xFFFFFFFF;
}
#endif

}  // namespace

std::uint32_t Crc32c(std::span<const std::uint8_t> bytes) {
#if defined(__x86_64__)
  // Asked once: every x86-64 CPU of the last decade has it, but the build does not assume it.
  static const bool kHasSse42 = __builtin_cpu_supports("sse4.2");
  if (kHasSse42) return Crc32cSse42(bytes);
#endif
  return Crc32cPortable(bytes);
}

std::vector<std::uint8_t> SerializeHistogram(const LogHistogram& histogram) {
  std::vector<std::uint8_t> out;
  out.reserve(32 + 4 * histogram.Buckets().size());
  out.push_back(kWireVersion);
  AppendVarint(out, histogram.Count());
  AppendVarint(out, histogram.UnderflowCount());
  AppendVarint(out, histogram.OverflowCount());
  if (!histogram.Empty()) {
    AppendVarint(out, ZigZagEncode(histogram.Min()->count()));
    AppendVarint(out, ZigZagEncode(histogram.Max()->count()));
    AppendVarint128(out, ZigZagEncode128(histogram.Sum()));
  }
  AppendVarint(out, histogram.Buckets().size());
  std::uint32_t previous = 0;
  for (const BucketCount& bucket : histogram.Buckets()) {
    AppendVarint(out, bucket.index - previous);
    AppendVarint(out, bucket.count);
    previous = bucket.index;
  }
  AppendChecksum(out);
  return out;
}

// Wire layout, version 1. varint: LEB128, shortest form; zigzag: ZigZag then varint (varint.h).
//
//   +---------+-------------+-----------------+----------------+
//   | version | total_count | underflow_count | overflow_count |   counts of samples: all of
//   |   u8=1  |   varint    |     varint      |     varint     |   them, < 1 µs, > 60 s
//   +---------+-------------+-----------------+----------------+
//   | min_ns  | max_ns  |    sum_ns     |                          only when total_count > 0:
//   | zigzag  | zigzag  | zigzag, 128 b |                          exact extremes and sum, in ns
//   +---------+---------+---------------+
//   | bucket_entries N |                                          non-empty buckets, N <= 1651
//   |      varint      |
//   +------------------+-----------+
//   |   index_delta    |   count   |  x N, by increasing index:   first delta = the bucket index
//   |      varint      |  varint   |                              (bucket_layout.h), then
//   +------------------+-----------+                              index - previous index (>= 1);
//   |      crc32c      |                                          count >= 1
//   |  u32, little-end |                                          CRC-32C of all bytes before it
//   +------------------+
//   (end of input: nothing may follow)
//
// Example: {0 ns, 2 ms, 2 ms} is
//   01 | 03 01 00 | 00 80 92 f4 01 80 a4 e8 03 | 01 | bd 05 02 | crc32c
// (2 ms is bucket 701; the bytes are worked out in
// tests/common/histogram/histogram_codec_test.cpp).
//
// Each bucket entry takes at least 2 bytes, so N is checked against the bytes left before any
// allocation: a 10-byte input cannot make the decoder reserve room for 1651 buckets.
Result<LogHistogram> DeserializeHistogram(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kSmallestEncoding) {
    return MakeError(ErrorCode::kCorrupt, "histogram: truncated: " + std::to_string(bytes.size()) +
                                              " bytes, the smallest histogram takes " +
                                              std::to_string(kSmallestEncoding));
  }
  const auto body = bytes.first(bytes.size() - kChecksumBytes);
  ByteReader reader(body, kContext);
  LINKMON_READ_OR_RETURN(version, reader.ReadByte("version"));
  if (version != kWireVersion) {
    return MakeError(ErrorCode::kUnsupported, "histogram: wire version " + std::to_string(version) +
                                                  " is not supported (this build reads " +
                                                  std::to_string(kWireVersion) + ")");
  }
  HistogramParts parts;
  LINKMON_READ_OR_RETURN(total, reader.ReadVarint("total_count"));
  LINKMON_READ_OR_RETURN(underflow, reader.ReadVarint("underflow_count"));
  LINKMON_READ_OR_RETURN(overflow, reader.ReadVarint("overflow_count"));
  parts.total_count = total;
  parts.underflow_count = underflow;
  parts.overflow_count = overflow;
  if (total > 0) {
    LINKMON_READ_OR_RETURN(min, reader.ReadVarint("min_ns"));
    LINKMON_READ_OR_RETURN(max, reader.ReadVarint("max_ns"));
    LINKMON_READ_OR_RETURN(sum, reader.ReadVarint128("sum_ns"));
    parts.min_ns = ZigZagDecode(min);
    parts.max_ns = ZigZagDecode(max);
    parts.sum_ns = ZigZagDecode128(sum);
  }
  LINKMON_READ_OR_RETURN(entries, reader.ReadVarint("bucket_entries"));
  if (entries > kBucketCount) {
    return MakeError(ErrorCode::kOutOfRange, "histogram: claims " + std::to_string(entries) +
                                                 " non-empty buckets, but only " +
                                                 std::to_string(kBucketCount) + " exist");
  }
  if (entries > reader.remaining() / 2) {
    return reader.Fail("truncated: claims " + std::to_string(entries) + " buckets but only " +
                       std::to_string(reader.remaining()) + " bytes follow");
  }
  parts.buckets.reserve(entries);
  std::uint64_t previous = 0;
  for (std::uint64_t i = 0; i < entries; ++i) {
    LINKMON_READ_OR_RETURN(delta, reader.ReadVarint("bucket index"));
    LINKMON_READ_OR_RETURN(count, reader.ReadVarint("bucket count"));
    if (i > 0 && delta == 0) {
      return reader.Fail("bucket entry " + std::to_string(i) + " repeats index " +
                         std::to_string(previous) + ": indexes must increase");
    }
    // previous < kBucketCount, so the comparison cannot overflow.
    if (delta >= kBucketCount - previous) {
      return MakeError(
          ErrorCode::kOutOfRange,
          "histogram: bucket entry " + std::to_string(i) + " has index " +
              (delta < kBucketCount ? std::to_string(previous + delta)
                                    : std::to_string(previous) + " + " + std::to_string(delta)) +
              ", out of range 0.." + std::to_string(kBucketCount - 1));
    }
    previous += delta;
    parts.buckets.push_back(BucketCount{static_cast<std::uint32_t>(previous), count});
  }
  if (reader.remaining() != 0) {
    return reader.Fail(std::to_string(reader.remaining()) +
                       " trailing bytes after the last bucket");
  }
  auto histogram = LogHistogram::FromParts(std::move(parts));
  if (!histogram) return histogram;
  const auto trailer = bytes.last(kChecksumBytes);
  std::uint32_t stored = 0;
  for (int i = 3; i >= 0; --i) stored = (stored << 8) | trailer[static_cast<std::size_t>(i)];
  const std::uint32_t computed = Crc32c(body);
  if (stored != computed) {
    return MakeError(ErrorCode::kCorrupt, "histogram: checksum mismatch: stored " + Hex32(stored) +
                                              ", computed " + Hex32(computed));
  }
  return histogram;
}

#undef LINKMON_READ_OR_RETURN

}  // namespace linkmon::histogram
