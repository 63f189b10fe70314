#pragma once

// Where a latency lands in a LogHistogram: the bucket layout, shared by the histogram, its wire
// format and anyone who exports buckets (Prometheus, the collector's windows).
//
// The layout is log-linear, as in HdrHistogram: each power-of-two range of nanoseconds
// [2^e, 2^(e+1)) is cut into 64 equal sub-buckets of width 2^(e-6). A bucket therefore spans at
// most 1/64 of its lower bound, and reporting the bucket's midpoint is off by at most 1/128
// (0.79 %) of any value in it: below the 1 % the SLA figures need (a 1 ms metro target must not
// read as 1.01 ms). Finding a bucket is a bit_width and two shifts, no log(), no table.
//
// Tracked range: 1 µs to 60 s inclusive. The buckets cut at those edges are 1651 in number,
// indexed 0 (holds 1 µs) to 1650 (holds 60 s). Values outside the range are counted by the
// histogram in its underflow and overflow counters, never here.
//
// Changing anything in this file changes the meaning of serialized bucket indexes: bump
// kWireVersion in histogram_codec.h when you do.

#include <bit>
#include <chrono>
#include <cstdint>

namespace linkmon::histogram {

// Each power-of-two range holds 2^kSubBucketBits buckets.
inline constexpr int kSubBucketBits = 6;
inline constexpr std::int64_t kSubBucketsPerOctave = std::int64_t{1} << kSubBucketBits;

// The smallest and largest value the buckets resolve, in nanoseconds (inclusive).
inline constexpr std::int64_t kMinTrackedNs = 1'000;           // 1 µs
inline constexpr std::int64_t kMaxTrackedNs = 60'000'000'000;  // 60 s
inline constexpr std::chrono::nanoseconds kMinTracked{kMinTrackedNs};
inline constexpr std::chrono::nanoseconds kMaxTracked{kMaxTrackedNs};

namespace internal {

// Position of `ns` (>= kSubBucketsPerOctave) in the unbounded log-linear sequence of buckets.
constexpr std::int64_t RawBucket(std::int64_t ns) {
  const auto value = static_cast<std::uint64_t>(ns);
  const int shift = static_cast<int>(std::bit_width(value)) - 1 - kSubBucketBits;  // log2(width)
  const auto mantissa = static_cast<std::int64_t>(value >> shift);                 // in [64, 128)
  return std::int64_t{shift} * kSubBucketsPerOctave + (mantissa - kSubBucketsPerOctave);
}

// Lower bound (inclusive) of a raw bucket.
constexpr std::int64_t RawBucketLowerNs(std::int64_t raw) {
  const std::int64_t shift = raw / kSubBucketsPerOctave;
  const std::int64_t mantissa = raw % kSubBucketsPerOctave + kSubBucketsPerOctave;
  return mantissa << shift;
}

inline constexpr std::int64_t kFirstRawBucket = RawBucket(kMinTrackedNs);
inline constexpr std::int64_t kLastRawBucket = RawBucket(kMaxTrackedNs);

}  // namespace internal

// Number of buckets covering [kMinTracked, kMaxTracked]; valid indexes are 0 .. kBucketCount-1.
inline constexpr std::uint32_t kBucketCount =
    static_cast<std::uint32_t>(internal::kLastRawBucket - internal::kFirstRawBucket + 1);

// True when `ns` falls in a bucket (kMinTracked <= ns <= kMaxTracked).
constexpr bool IsTracked(std::int64_t ns) { return ns >= kMinTrackedNs && ns <= kMaxTrackedNs; }

// Index of the bucket holding `ns`. Precondition: IsTracked(ns).
constexpr std::uint32_t BucketIndex(std::int64_t ns) {
  return static_cast<std::uint32_t>(internal::RawBucket(ns) - internal::kFirstRawBucket);
}

// Smallest value in bucket `index` (inclusive), clipped to the tracked range.
constexpr std::int64_t BucketLowerNs(std::uint32_t index) {
  const std::int64_t lower = internal::RawBucketLowerNs(internal::kFirstRawBucket + index);
  return lower < kMinTrackedNs ? kMinTrackedNs : lower;
}

// Largest value in bucket `index` (inclusive), clipped to the tracked range.
constexpr std::int64_t BucketUpperNs(std::uint32_t index) {
  const std::int64_t upper = internal::RawBucketLowerNs(internal::kFirstRawBucket + index + 1) - 1;
  return upper > kMaxTrackedNs ? kMaxTrackedNs : upper;
}

// The value a quantile reports for bucket `index`: the midpoint of the bucket's values, which is
// within 1/128 of every value in the bucket (relative to that value).
constexpr std::int64_t BucketMidpointNs(std::uint32_t index) {
  const std::int64_t lower = BucketLowerNs(index);
  return lower + (BucketUpperNs(index) - lower) / 2;
}

static_assert(kBucketCount == 1651, "the layout is part of the wire format: see above");
static_assert(BucketLowerNs(0) == kMinTrackedNs && BucketIndex(kMinTrackedNs) == 0);
static_assert(BucketUpperNs(kBucketCount - 1) == kMaxTrackedNs);

}  // namespace linkmon::histogram
