#include "common/histogram/log_histogram.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

namespace linkmon::histogram {

namespace {

using std::chrono::nanoseconds;

constexpr std::uint64_t kMaxCount = std::numeric_limits<std::uint64_t>::max();

// a + b, or nullopt when it does not fit in 64 bits.
std::optional<std::uint64_t> CheckedAdd(std::uint64_t a, std::uint64_t b) {
  if (a > kMaxCount - b) return std::nullopt;
  return a + b;
}

QuantileLocation LocationOf(std::int64_t ns) {
  if (ns < kMinTrackedNs) return QuantileLocation::kBelowRange;
  if (ns > kMaxTrackedNs) return QuantileLocation::kAboveRange;
  return QuantileLocation::kInRange;
}

// For messages: a 128-bit sum in decimal.
std::string SumToString(NanosecondSum value) {
  if (value == 0) return "0";
  const bool negative = value < 0;
  std::string digits;
  while (value != 0) {
    const auto digit = static_cast<int>(value % 10);
    digits.push_back(static_cast<char>('0' + (digit < 0 ? -digit : digit)));
    value /= 10;
  }
  if (negative) digits.push_back('-');
  std::reverse(digits.begin(), digits.end());
  return digits;
}

Status CheckMinMaxSum(const HistogramParts& parts) {
  const std::uint64_t count = parts.total_count;
  const std::int64_t min = parts.min_ns;
  const std::int64_t max = parts.max_ns;
  if (count == 0) {
    if (min != 0 || max != 0 || parts.sum_ns != 0) {
      return MakeError(ErrorCode::kCorrupt, "histogram: empty but min, max or sum is not 0");
    }
    return {};
  }
  if (min > max) {
    return MakeError(ErrorCode::kCorrupt, "histogram: min " + std::to_string(min) + "ns > max " +
                                              std::to_string(max) + "ns");
  }
  // The smallest sample lies in the lowest occupied region (underflow, first bucket, overflow),
  // the largest in the highest.
  bool min_fits = false;
  if (parts.underflow_count > 0) {
    min_fits = min < kMinTrackedNs;
  } else if (!parts.buckets.empty()) {
    min_fits = IsTracked(min) && BucketIndex(min) == parts.buckets.front().index;
  } else {
    min_fits = min > kMaxTrackedNs;
  }
  if (!min_fits) {
    return MakeError(ErrorCode::kCorrupt, "histogram: min " + std::to_string(min) +
                                              "ns is not in the lowest occupied bucket");
  }
  bool max_fits = false;
  if (parts.overflow_count > 0) {
    max_fits = max > kMaxTrackedNs;
  } else if (!parts.buckets.empty()) {
    max_fits = IsTracked(max) && BucketIndex(max) == parts.buckets.back().index;
  } else {
    max_fits = max < kMinTrackedNs;
  }
  if (!max_fits) {
    return MakeError(ErrorCode::kCorrupt, "histogram: max " + std::to_string(max) +
                                              "ns is not in the highest occupied bucket");
  }
  // One sample is the max and the others are at least the min, and the other way round. With
  // count < 2^64 and |value| <= 2^63 none of these products leave 128 bits.
  const NanosecondSum others = static_cast<NanosecondSum>(count - 1);
  const NanosecondSum lowest = max + others * min;
  const NanosecondSum highest = min + others * max;
  if (parts.sum_ns < lowest || parts.sum_ns > highest) {
    return MakeError(ErrorCode::kCorrupt, "histogram: sum " + SumToString(parts.sum_ns) +
                                              "ns is impossible for " + std::to_string(count) +
                                              " samples between min and max");
  }
  return {};
}

}  // namespace

std::uint64_t QuantileRank(double q, std::uint64_t count) {
  if (q <= 0.0) return 1;
  if (q >= 1.0) return count;
  // long double keeps the product with a 64-bit count exact on x86-64.
  const long double product = static_cast<long double>(q) * static_cast<long double>(count);
  auto rank = static_cast<std::uint64_t>(std::ceil(product));
  rank = std::clamp<std::uint64_t>(rank, 1, count);
  // q = k/count written as a double (0.07 is 0.07000000000000000666) lands a hair above k and
  // must still select rank k, not k+1: step down when (k)/count rounds to the same double as q.
  constexpr std::uint64_t kExactDoubleInteger = std::uint64_t{1} << 53;
  if (rank > 1 && count <= kExactDoubleInteger) {
    const auto below =
        static_cast<double>(static_cast<long double>(rank - 1) / static_cast<long double>(count));
    if (below >= q) --rank;
  }
  return rank;
}

Result<LogHistogram> LogHistogram::FromParts(HistogramParts parts) {
  if (parts.buckets.size() > kBucketCount) {
    return MakeError(ErrorCode::kOutOfRange, "histogram: " + std::to_string(parts.buckets.size()) +
                                                 " buckets, but only " +
                                                 std::to_string(kBucketCount) + " exist");
  }
  std::uint64_t bucket_total = 0;
  for (std::size_t i = 0; i < parts.buckets.size(); ++i) {
    const BucketCount& bucket = parts.buckets[i];
    if (bucket.index >= kBucketCount) {
      return MakeError(ErrorCode::kOutOfRange,
                       "histogram: bucket index " + std::to_string(bucket.index) +
                           " out of range 0.." + std::to_string(kBucketCount - 1));
    }
    if (i > 0 && bucket.index <= parts.buckets[i - 1].index) {
      return MakeError(ErrorCode::kCorrupt, "histogram: bucket indexes must increase, but " +
                                                std::to_string(bucket.index) + " follows " +
                                                std::to_string(parts.buckets[i - 1].index));
    }
    if (bucket.count == 0) {
      return MakeError(ErrorCode::kCorrupt, "histogram: bucket " + std::to_string(bucket.index) +
                                                " is stored with count 0");
    }
    const auto total = CheckedAdd(bucket_total, bucket.count);
    if (!total) {
      return MakeError(ErrorCode::kOutOfRange, "histogram: bucket counts overflow 64 bits");
    }
    bucket_total = *total;
  }
  const auto out_of_range = CheckedAdd(parts.underflow_count, parts.overflow_count);
  const auto all = out_of_range ? CheckedAdd(*out_of_range, bucket_total) : std::nullopt;
  if (!all) {
    return MakeError(ErrorCode::kOutOfRange, "histogram: counts overflow 64 bits");
  }
  if (*all != parts.total_count) {
    return MakeError(ErrorCode::kCorrupt,
                     "histogram: total count " + std::to_string(parts.total_count) +
                         " does not equal underflow " + std::to_string(parts.underflow_count) +
                         " + overflow " + std::to_string(parts.overflow_count) + " + buckets " +
                         std::to_string(bucket_total));
  }
  if (auto status = CheckMinMaxSum(parts); !status) {
    return tl::unexpected(std::move(status.error()));
  }
  LogHistogram histogram;
  histogram.count_ = parts.total_count;
  histogram.underflow_count_ = parts.underflow_count;
  histogram.overflow_count_ = parts.overflow_count;
  histogram.min_ns_ = parts.min_ns;
  histogram.max_ns_ = parts.max_ns;
  histogram.sum_ns_ = parts.sum_ns;
  histogram.buckets_ = std::move(parts.buckets);
  return histogram;
}

void LogHistogram::Record(nanoseconds value) {
  const std::int64_t ns = value.count();
  if (count_ == 0) {
    min_ns_ = ns;
    max_ns_ = ns;
  } else {
    min_ns_ = std::min(min_ns_, ns);
    max_ns_ = std::max(max_ns_, ns);
  }
  ++count_;
  sum_ns_ += ns;
  if (ns < kMinTrackedNs) {
    ++underflow_count_;
    return;
  }
  if (ns > kMaxTrackedNs) {
    ++overflow_count_;
    return;
  }
  const std::uint32_t index = BucketIndex(ns);
  // Latencies cluster, so the newest sample usually lands in or next to the last bucket touched;
  // a binary search over a few dozen entries is cheap either way.
  const auto at = std::lower_bound(
      buckets_.begin(), buckets_.end(), index,
      [](const BucketCount& bucket, std::uint32_t wanted) { return bucket.index < wanted; });
  if (at != buckets_.end() && at->index == index) {
    ++at->count;
  } else {
    buckets_.insert(at, BucketCount{index, 1});
  }
}

Status LogHistogram::Merge(const LogHistogram& other) {
  if (other.count_ == 0) return {};
  // Every other counter is at most count_, so one check covers them all.
  if (!CheckedAdd(count_, other.count_)) {
    return MakeError(ErrorCode::kOutOfRange, "histogram: merged count overflows 64 bits");
  }
  if (count_ == 0) {
    *this = other;
    return {};
  }
  count_ += other.count_;
  underflow_count_ += other.underflow_count_;
  overflow_count_ += other.overflow_count_;
  min_ns_ = std::min(min_ns_, other.min_ns_);
  max_ns_ = std::max(max_ns_, other.max_ns_);
  sum_ns_ += other.sum_ns_;

  std::vector<BucketCount> merged;
  merged.reserve(buckets_.size() + other.buckets_.size());
  auto mine = buckets_.begin();
  auto theirs = other.buckets_.begin();
  while (mine != buckets_.end() && theirs != other.buckets_.end()) {
    if (mine->index < theirs->index) {
      merged.push_back(*mine++);
    } else if (theirs->index < mine->index) {
      merged.push_back(*theirs++);
    } else {
      merged.push_back(BucketCount{mine->index, mine->count + theirs->count});
      ++mine;
      ++theirs;
    }
  }
  merged.insert(merged.end(), mine, buckets_.end());
  merged.insert(merged.end(), theirs, other.buckets_.end());
  buckets_ = std::move(merged);
  return {};
}

Result<QuantileEstimate> LogHistogram::Quantile(double q) const {
  if (!(q >= 0.0 && q <= 1.0)) {  // also refuses NaN
    return MakeError(ErrorCode::kInvalidArgument,
                     "histogram: quantile " + std::to_string(q) + " is not in [0, 1]");
  }
  if (count_ == 0) {
    return MakeError(ErrorCode::kUnavailable, "histogram: no samples, so no quantile");
  }
  const std::uint64_t rank = QuantileRank(q, count_);
  // The extremes are known exactly; report them as they are.
  if (rank == 1) return QuantileEstimate{nanoseconds(min_ns_), LocationOf(min_ns_)};
  if (rank == count_) return QuantileEstimate{nanoseconds(max_ns_), LocationOf(max_ns_)};
  if (rank <= underflow_count_) {
    return QuantileEstimate{nanoseconds(min_ns_), QuantileLocation::kBelowRange};
  }
  if (rank > count_ - overflow_count_) {
    return QuantileEstimate{nanoseconds(max_ns_), QuantileLocation::kAboveRange};
  }
  std::uint64_t seen = underflow_count_;
  for (const BucketCount& bucket : buckets_) {
    seen += bucket.count;
    if (seen >= rank) {
      // The true sample is in this bucket and in [min, max]; clamping to both keeps the estimate
      // at least as close as the midpoint alone.
      const std::int64_t estimate = std::clamp(BucketMidpointNs(bucket.index), min_ns_, max_ns_);
      return QuantileEstimate{nanoseconds(estimate), QuantileLocation::kInRange};
    }
  }
  // FromParts and Record keep the counts adding up, so the loop always returns.
  return MakeError(ErrorCode::kCorrupt, "histogram: bucket counts do not add up to the total");
}

std::optional<nanoseconds> LogHistogram::Min() const {
  if (count_ == 0) return std::nullopt;
  return nanoseconds(min_ns_);
}

std::optional<nanoseconds> LogHistogram::Max() const {
  if (count_ == 0) return std::nullopt;
  return nanoseconds(max_ns_);
}

std::optional<nanoseconds> LogHistogram::Mean() const {
  if (count_ == 0) return std::nullopt;
  // The mean lies between min and max, so it fits in 64 bits.
  return nanoseconds(static_cast<std::int64_t>(sum_ns_ / static_cast<NanosecondSum>(count_)));
}

}  // namespace linkmon::histogram
