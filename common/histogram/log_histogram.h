#pragma once

// LogHistogram: a mergeable latency histogram with bounded relative error, the one distribution
// type of linkmon (RTT, one-way delay, delay variation). Probes fill one per path and interval;
// the collector merges them into windows. Merging is exact: merging the histograms of two sets of
// samples gives, bucket for bucket and in count, min, max and sum, the histogram of their union,
// so a 1 h window built from 360 ten-second intervals is the histogram of the hour.
//
// Values are std::chrono::nanoseconds. Between 1 µs and 60 s each value lands in a log-linear
// bucket (bucket_layout.h) and a quantile is reported within 1/128 (0.79 %) of the true sample at
// its rank. Values below 1 µs (0 and negative ones too: a one-way delay between clocks a few µs
// apart can be) are counted in an underflow counter, values above 60 s in an overflow counter:
// never dropped, so counts stay equal to the number of probes they describe. Count, min, max and
// sum cover every value, in range or not, and are exact.
//
// Storage is sparse: only non-empty buckets, kept sorted by index (a path with a steady RTT uses
// a handful of the 1651 buckets).
//
// Not thread-safe: one owner fills it; copies travel between threads.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "common/histogram/bucket_layout.h"
#include "common/result.h"

namespace linkmon::histogram {

// The exact sum of recorded values in nanoseconds. 64 bits hold only 292 years of nanoseconds,
// which a long window of out-of-range samples can exceed; with 128 bits the sum of up to 2^64
// samples of any int64 value cannot overflow, so it is exact by construction.
__extension__ using NanosecondSum = __int128;

// One non-empty bucket.
struct BucketCount {
  std::uint32_t index;  // 0 .. kBucketCount-1
  std::uint64_t count;  // >= 1
  bool operator==(const BucketCount&) const = default;
};

// Where the sample at a quantile's rank lies, which says how to read QuantileEstimate::value.
enum class QuantileLocation {
  kInRange,     // within [1 µs, 60 s]: value is within 1/128 of the true sample
  kBelowRange,  // below 1 µs: value is the exact minimum; the true sample is in [min, 1 µs)
  kAboveRange,  // above 60 s: value is the exact maximum; the true sample is in (60 s, max]
};

struct QuantileEstimate {
  std::chrono::nanoseconds value;
  QuantileLocation location;
};

// The rank (1-based, in sorted order) that quantile q selects among `count` samples: the nearest
// rank, ceil(q * count), at least 1. The sample at that rank is the smallest one with at least a
// fraction q of all samples at or below it: p50 of {1,2,3,4} is 2, p99 of 100 samples the 99th.
// A q written as a decimal (0.07) selects the rank it names (7 of 100) although the double is a
// hair above it. Beyond 2^53 samples the rank is plain ceil(q * count), as exact as q allows.
// Preconditions: 0 <= q <= 1, count >= 1.
std::uint64_t QuantileRank(double q, std::uint64_t count);

// A histogram's complete state, for serializers: LogHistogram::FromParts checks it.
struct HistogramParts {
  std::uint64_t total_count = 0;
  std::uint64_t underflow_count = 0;
  std::uint64_t overflow_count = 0;
  std::int64_t min_ns = 0;  // min, max and sum are 0 when total_count is 0
  std::int64_t max_ns = 0;
  NanosecondSum sum_ns = 0;
  std::vector<BucketCount> buckets;  // non-empty buckets by increasing index
};

class LogHistogram {
 public:
  LogHistogram() = default;

  // Builds a histogram from a serializer's parts, refusing every inconsistency with a specific
  // kCorrupt or kOutOfRange error: bucket index out of range, indexes not increasing, empty
  // bucket, counts overflowing 64 bits, totals that do not add up, min > max, min/max/sum that
  // no set of samples with these bucket counts could have.
  static Result<LogHistogram> FromParts(HistogramParts parts);

  // Adds one sample. Precondition: Count() < 2^64 - 1 (at a billion samples a second that takes
  // 584 years).
  void Record(std::chrono::nanoseconds value);

  // Adds every sample of `other`. Refuses (kOutOfRange, and leaves this histogram unchanged) when
  // the total count would overflow 64 bits; nothing else can fail.
  Status Merge(const LogHistogram& other);

  // The estimate of quantile q (0 <= q <= 1) at rank QuantileRank(q, Count()). q = 0 gives the
  // exact minimum and q = 1 the exact maximum. Errors: kInvalidArgument for q outside [0, 1] or
  // NaN; kUnavailable when the histogram is empty.
  Result<QuantileEstimate> Quantile(double q) const;

  // Number of samples, including those below and above the tracked range.
  std::uint64_t Count() const { return count_; }
  bool Empty() const { return count_ == 0; }
  // Samples below 1 µs, and above 60 s.
  std::uint64_t UnderflowCount() const { return underflow_count_; }
  std::uint64_t OverflowCount() const { return overflow_count_; }
  // Exact extremes and sum over all samples; nullopt / 0 when empty.
  std::optional<std::chrono::nanoseconds> Min() const;
  std::optional<std::chrono::nanoseconds> Max() const;
  NanosecondSum Sum() const { return sum_ns_; }
  // Sum / count, rounded towards zero; nullopt when empty.
  std::optional<std::chrono::nanoseconds> Mean() const;

  // The non-empty buckets by increasing index.
  std::span<const BucketCount> Buckets() const { return buckets_; }

  // Equal when they hold the same samples as far as a histogram can tell: same buckets, counters,
  // min, max and sum.
  bool operator==(const LogHistogram&) const = default;

 private:
  std::uint64_t count_ = 0;
  std::uint64_t underflow_count_ = 0;
  std::uint64_t overflow_count_ = 0;
  std::int64_t min_ns_ = 0;  // meaningful only when count_ > 0
  std::int64_t max_ns_ = 0;
  NanosecondSum sum_ns_ = 0;
  std::vector<BucketCount> buckets_;
};

}  // namespace linkmon::histogram
