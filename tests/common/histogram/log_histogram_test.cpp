#include "common/histogram/log_histogram.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace linkmon::histogram {
namespace {

using std::chrono::nanoseconds;
using Samples = std::vector<std::int64_t>;

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kS = 1'000'000'000;

// The worst relative error of an in-range quantile seen by any test in this file, printed at the
// end so that the figure in reports comes from a run, not from the design.
double g_worst_relative_error = 0.0;

class WorstErrorReporter : public ::testing::Environment {
 public:
  void TearDown() override {
    std::cout << "max relative quantile error observed: " << g_worst_relative_error * 100.0
              << " % (bound 1/128 = 0.78125 %)\n";
  }
};
const auto* const kReporter = ::testing::AddGlobalTestEnvironment(new WorstErrorReporter);

LogHistogram Fill(const Samples& samples) {
  LogHistogram histogram;
  for (std::int64_t ns : samples) histogram.Record(nanoseconds(ns));
  return histogram;
}

// Compares everything the histogram reports with a naive sorted-vector reference: counts, exact
// extremes and sum, and the quantile at every rank (when there are few samples) or at a spread of
// quantiles. An in-range quantile must be within 1 % of the true sample at its rank; one below or
// above the range must say so and give the exact min or max.
void ExpectMatchesReference(const LogHistogram& histogram, Samples samples) {
  std::sort(samples.begin(), samples.end());
  const std::uint64_t n = samples.size();
  ASSERT_EQ(histogram.Count(), n);
  const auto below = std::count_if(samples.begin(), samples.end(),
                                   [](std::int64_t v) { return v < kMinTrackedNs; });
  const auto above = std::count_if(samples.begin(), samples.end(),
                                   [](std::int64_t v) { return v > kMaxTrackedNs; });
  EXPECT_EQ(histogram.UnderflowCount(), static_cast<std::uint64_t>(below));
  EXPECT_EQ(histogram.OverflowCount(), static_cast<std::uint64_t>(above));
  NanosecondSum sum = 0;
  for (std::int64_t v : samples) sum += v;
  EXPECT_TRUE(histogram.Sum() == sum);
  if (n == 0) {
    EXPECT_FALSE(histogram.Min().has_value());
    EXPECT_FALSE(histogram.Max().has_value());
    EXPECT_EQ(histogram.Quantile(0.5).error().code, ErrorCode::kUnavailable);
    return;
  }
  EXPECT_EQ(histogram.Min()->count(), samples.front());
  EXPECT_EQ(histogram.Max()->count(), samples.back());
  EXPECT_EQ(histogram.Mean()->count(),
            static_cast<std::int64_t>(sum / static_cast<NanosecondSum>(n)));

  std::vector<double> quantiles = {0.0,  0.001, 0.01, 0.05, 0.1,   0.25,   0.5,
                                   0.75, 0.9,   0.95, 0.99, 0.999, 0.9999, 1.0};
  if (n <= 5'000) {
    for (std::uint64_t k = 1; k <= n; ++k) {
      quantiles.push_back(static_cast<double>(k) / static_cast<double>(n));
    }
  }
  for (double q : quantiles) {
    const std::uint64_t rank = QuantileRank(q, n);
    const std::int64_t truth = samples[rank - 1];
    const auto estimate = histogram.Quantile(q);
    ASSERT_TRUE(estimate.has_value()) << estimate.error().message;
    const std::int64_t value = estimate->value.count();
    if (truth < kMinTrackedNs) {
      ASSERT_EQ(estimate->location, QuantileLocation::kBelowRange) << "q=" << q;
      ASSERT_EQ(value, samples.front()) << "q=" << q;
    } else if (truth > kMaxTrackedNs) {
      ASSERT_EQ(estimate->location, QuantileLocation::kAboveRange) << "q=" << q;
      ASSERT_EQ(value, samples.back()) << "q=" << q;
    } else {
      ASSERT_EQ(estimate->location, QuantileLocation::kInRange) << "q=" << q;
      const double error =
          std::abs(static_cast<double>(value - truth)) / static_cast<double>(truth);
      g_worst_relative_error = std::max(g_worst_relative_error, error);
      ASSERT_LE(error, 0.01) << "q=" << q << " rank=" << rank << " truth=" << truth
                             << "ns estimate=" << value << "ns";
    }
  }
}

void ExpectMatchesReference(const Samples& samples) {
  ExpectMatchesReference(Fill(samples), samples);
}

// Log-uniform over [1 µs, 60 s]: every octave equally likely, so every part of the layout is hit.
Samples LogUniform(std::mt19937_64& rng, std::size_t n) {
  std::uniform_real_distribution<double> exponent(std::log(1e3), std::log(6e10));
  Samples samples;
  for (std::size_t i = 0; i < n; ++i) {
    samples.push_back(std::clamp(static_cast<std::int64_t>(std::exp(exponent(rng))), kMinTrackedNs,
                                 kMaxTrackedNs));
  }
  return samples;
}

// Pareto with scale 1 ms: P(X > x) = (1 ms / x)^alpha. alpha <= 1 has no mean and spills far
// beyond 60 s.
Samples Pareto(std::mt19937_64& rng, std::size_t n, double alpha) {
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  Samples samples;
  for (std::size_t i = 0; i < n; ++i) {
    const double u = 1.0 - uniform(rng);  // (0, 1]
    const double x = 1e6 / std::pow(u, 1.0 / alpha);
    samples.push_back(x > 1e17 ? std::int64_t{100'000'000'000'000'000}
                               : static_cast<std::int64_t>(x));
  }
  return samples;
}

TEST(QuantileRankTest, NearestRankWithDecimalQuantiles) {
  EXPECT_EQ(QuantileRank(0.0, 10), 1u);
  EXPECT_EQ(QuantileRank(1.0, 10), 10u);
  EXPECT_EQ(QuantileRank(0.5, 4), 2u);  // p50 of {1,2,3,4} is 2
  EXPECT_EQ(QuantileRank(0.5, 3), 2u);  // ceil(1.5)
  EXPECT_EQ(QuantileRank(0.5, 1), 1u);
  EXPECT_EQ(QuantileRank(0.99, 100), 99u);
  EXPECT_EQ(QuantileRank(0.07, 100), 7u);  // 0.07 * 100 is 7.000000000000001 in doubles
  EXPECT_EQ(QuantileRank(0.999, 1000), 999u);
  EXPECT_EQ(QuantileRank(0.99, 101), 100u);  // ceil(99.99)
  EXPECT_EQ(QuantileRank(0.01, 1), 1u);
  EXPECT_EQ(QuantileRank(0.5, std::uint64_t{1} << 40), std::uint64_t{1} << 39);
  EXPECT_EQ(QuantileRank(1.0, std::numeric_limits<std::uint64_t>::max()),
            std::numeric_limits<std::uint64_t>::max());
}

TEST(LogHistogramTest, EmptyHistogram) {
  const LogHistogram histogram;
  ExpectMatchesReference(histogram, {});
  EXPECT_TRUE(histogram.Empty());
  EXPECT_TRUE(histogram.Buckets().empty());
  EXPECT_FALSE(histogram.Mean().has_value());
}

TEST(LogHistogramTest, SingleSampleIsReportedExactly) {
  for (std::int64_t v :
       {std::int64_t{0}, std::int64_t{-5}, std::int64_t{999}, kMinTrackedNs,
        std::int64_t{1'234'567}, kMaxTrackedNs, kMaxTrackedNs + 1,
        std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min()}) {
    const LogHistogram histogram = Fill({v});
    for (double q : {0.0, 0.5, 0.99, 1.0}) {
      EXPECT_EQ(histogram.Quantile(q)->value.count(), v) << "value " << v << " q=" << q;
    }
    ExpectMatchesReference(histogram, {v});
  }
}

TEST(LogHistogramTest, AllEqualValuesAreExact) {
  const Samples samples(10'000, 1'234'567);
  const LogHistogram histogram = Fill(samples);
  EXPECT_EQ(histogram.Buckets().size(), 1u);
  for (double q : {0.0, 0.01, 0.5, 0.99, 1.0}) {
    // min == max clamps the bucket midpoint to the one value.
    EXPECT_EQ(histogram.Quantile(q)->value.count(), 1'234'567);
  }
  ExpectMatchesReference(histogram, samples);
}

TEST(LogHistogramTest, BimodalOneAndTwentyMilliseconds) {
  // A metro path at 1 ms and a nationwide one at 20 ms in one window: quantiles must not smear
  // between the modes. 70 % near 1 ms, 30 % near 20 ms, each with 3 % spread.
  std::mt19937_64 rng(1);
  std::normal_distribution<double> spread(1.0, 0.03);
  std::bernoulli_distribution far(0.3);
  Samples samples;
  for (int i = 0; i < 100'000; ++i) {
    const double mode = far(rng) ? 20e6 : 1e6;
    samples.push_back(static_cast<std::int64_t>(mode * spread(rng)));
  }
  const LogHistogram histogram = Fill(samples);
  ExpectMatchesReference(histogram, samples);
  EXPECT_LT(histogram.Quantile(0.5)->value, nanoseconds(2 * kMs));
  EXPECT_GT(histogram.Quantile(0.9)->value, nanoseconds(15 * kMs));
}

TEST(LogHistogramTest, HeavyTailedParetoIncludingOverflow) {
  std::mt19937_64 rng(2);
  for (double alpha : {2.5, 1.1, 0.7, 0.3}) {
    const Samples samples = Pareto(rng, 50'000, alpha);
    SCOPED_TRACE(alpha);
    ExpectMatchesReference(samples);
  }
}

TEST(LogHistogramTest, ZerosAloneAndMixedWithRealValues) {
  ExpectMatchesReference(Samples(1'000, 0));
  std::mt19937_64 rng(3);
  Samples samples = LogUniform(rng, 7'000);
  samples.insert(samples.end(), 3'000, 0);
  std::shuffle(samples.begin(), samples.end(), rng);
  const LogHistogram histogram = Fill(samples);
  ExpectMatchesReference(histogram, samples);
  const auto p10 = histogram.Quantile(0.1);
  EXPECT_EQ(p10->location, QuantileLocation::kBelowRange);
  EXPECT_EQ(p10->value, nanoseconds(0));
}

TEST(LogHistogramTest, OutOfRangeValuesAreCountedNotDropped) {
  std::mt19937_64 rng(4);
  Samples samples = LogUniform(rng, 1'000);
  for (std::int64_t v :
       {std::int64_t{-1'000'000}, std::int64_t{-1}, std::int64_t{0}, std::int64_t{1},
        std::int64_t{999}, kMaxTrackedNs + 1, 61 * kS, 3'600 * kS,
        std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min()}) {
    samples.insert(samples.end(), 50, v);
  }
  std::shuffle(samples.begin(), samples.end(), rng);
  const LogHistogram histogram = Fill(samples);
  EXPECT_EQ(histogram.UnderflowCount(), 300u);  // six values below 1 µs, 50 each
  EXPECT_EQ(histogram.OverflowCount(), 200u);   // four values above 60 s
  ExpectMatchesReference(histogram, samples);
  EXPECT_EQ(histogram.Quantile(0.01)->location, QuantileLocation::kBelowRange);
  EXPECT_EQ(histogram.Quantile(0.99)->location, QuantileLocation::kAboveRange);
}

TEST(LogHistogramTest, LogUniformOverTheWholeRangeWithinOnePercent) {
  std::mt19937_64 rng(5);
  ExpectMatchesReference(LogUniform(rng, 200'000));
  for (int round = 0; round < 50; ++round) {
    ExpectMatchesReference(LogUniform(rng, 1 + rng() % 3'000));
  }
}

TEST(LogHistogramTest, BucketEdgesAreTheWorstCaseAndStayWithinOnePercent) {
  // The lowest value of each bucket is the farthest (relatively) from its midpoint. Neighbouring
  // ranks hold the upper ends of the buckets, so the midpoint is never clamped away.
  Samples samples;
  for (std::uint32_t index = 0; index < kBucketCount; ++index) {
    samples.push_back(BucketLowerNs(index));
    samples.push_back(BucketUpperNs(index));
  }
  ExpectMatchesReference(samples);
}

TEST(LogHistogramTest, QuantileRejectsInvalidArguments) {
  const LogHistogram histogram = Fill({5 * kMs});
  EXPECT_EQ(histogram.Quantile(-0.1).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(histogram.Quantile(1.5).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(histogram.Quantile(std::nan("")).error().code, ErrorCode::kInvalidArgument);
}

TEST(LogHistogramTest, StorageIsSparse) {
  LogHistogram histogram;
  for (int i = 0; i < 10'000; ++i) histogram.Record(nanoseconds(20 * kMs + (i % 3) * 1'000));
  histogram.Record(nanoseconds(0));
  histogram.Record(nanoseconds(100 * kS));
  // 20.000, 20.001 and 20.002 ms share one bucket of width 2^18 ns (262 µs).
  ASSERT_EQ(histogram.Buckets().size(), 1u);
  EXPECT_EQ(histogram.Buckets()[0].count, 10'000u);
}

// Merging the histograms of parts equals the histogram of the whole, bucket for bucket, whatever
// the split, the order (commutativity) and the grouping (associativity).
TEST(LogHistogramMergeTest, MergeOfPartsEqualsHistogramOfWhole) {
  std::mt19937_64 rng(6);
  for (int round = 0; round < 40; ++round) {
    Samples samples = LogUniform(rng, 2'000);
    const Samples tail = Pareto(rng, 500, 0.5);
    samples.insert(samples.end(), tail.begin(), tail.end());
    samples.insert(samples.end(), 20, 0);
    std::shuffle(samples.begin(), samples.end(), rng);
    const LogHistogram whole = Fill(samples);

    // Cut into 1..8 parts at random points; some parts may be empty.
    const std::size_t part_count = 1 + rng() % 8;
    std::vector<std::size_t> cuts = {0, samples.size()};
    for (std::size_t i = 1; i < part_count; ++i) cuts.push_back(rng() % (samples.size() + 1));
    std::sort(cuts.begin(), cuts.end());
    std::vector<LogHistogram> parts;
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
      parts.push_back(Fill(Samples(samples.begin() + static_cast<std::ptrdiff_t>(cuts[i]),
                                   samples.begin() + static_cast<std::ptrdiff_t>(cuts[i + 1]))));
    }

    LogHistogram left_fold;  // ((p0 + p1) + p2) + ...
    for (const LogHistogram& part : parts) ASSERT_TRUE(left_fold.Merge(part));
    LogHistogram right_fold;  // p0 + (p1 + (p2 + ...))
    for (auto part = parts.rbegin(); part != parts.rend(); ++part) {
      LogHistogram next = *part;
      ASSERT_TRUE(next.Merge(right_fold));
      right_fold = next;
    }
    std::vector<LogHistogram> shuffled = parts;  // any order
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    LogHistogram any_order;
    for (const LogHistogram& part : shuffled) ASSERT_TRUE(any_order.Merge(part));

    ASSERT_EQ(left_fold, whole) << "round " << round;
    ASSERT_EQ(right_fold, whole) << "round " << round;
    ASSERT_EQ(any_order, whole) << "round " << round;
  }
}

TEST(LogHistogramMergeTest, MergeIsCommutativeAndEmptyIsNeutral) {
  std::mt19937_64 rng(8);
  const LogHistogram a = Fill(LogUniform(rng, 300));
  const LogHistogram b = Fill(Pareto(rng, 300, 1.0));
  LogHistogram ab = a;
  ASSERT_TRUE(ab.Merge(b));
  LogHistogram ba = b;
  ASSERT_TRUE(ba.Merge(a));
  EXPECT_EQ(ab, ba);
  LogHistogram with_empty = a;
  ASSERT_TRUE(with_empty.Merge(LogHistogram()));
  EXPECT_EQ(with_empty, a);
  LogHistogram empty_with = LogHistogram();
  ASSERT_TRUE(empty_with.Merge(a));
  EXPECT_EQ(empty_with, a);
}

TEST(LogHistogramMergeTest, RefusesCountOverflowAndLeavesHistogramUnchanged) {
  HistogramParts parts;
  parts.total_count = std::numeric_limits<std::uint64_t>::max();
  parts.underflow_count = parts.total_count;
  parts.sum_ns = 0;  // every sample is 0
  auto full = LogHistogram::FromParts(parts);
  ASSERT_TRUE(full.has_value()) << full.error().message;
  const LogHistogram before = *full;
  const auto status = full->Merge(Fill({5 * kMs}));
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, ErrorCode::kOutOfRange);
  EXPECT_EQ(*full, before);
}

TEST(LogHistogramFromPartsTest, AcceptsWhatRecordProduces) {
  std::mt19937_64 rng(9);
  const LogHistogram recorded = Fill(Pareto(rng, 1'000, 1.0));
  HistogramParts parts{.total_count = recorded.Count(),
                       .underflow_count = recorded.UnderflowCount(),
                       .overflow_count = recorded.OverflowCount(),
                       .min_ns = recorded.Min()->count(),
                       .max_ns = recorded.Max()->count(),
                       .sum_ns = recorded.Sum(),
                       .buckets = {recorded.Buckets().begin(), recorded.Buckets().end()}};
  auto rebuilt = LogHistogram::FromParts(parts);
  ASSERT_TRUE(rebuilt.has_value()) << rebuilt.error().message;
  EXPECT_EQ(*rebuilt, recorded);
}

// Three samples {1 ms, 2 ms, 2 ms}: buckets 637 (1 ms) and 701 (2 ms twice).
HistogramParts ThreeSampleParts() {
  return HistogramParts{.total_count = 3,
                        .underflow_count = 0,
                        .overflow_count = 0,
                        .min_ns = 1 * kMs,
                        .max_ns = 2 * kMs,
                        .sum_ns = 5 * kMs,
                        .buckets = {{BucketIndex(1 * kMs), 1}, {BucketIndex(2 * kMs), 2}}};
}

Error FromPartsError(const HistogramParts& parts) {
  auto result = LogHistogram::FromParts(parts);
  EXPECT_FALSE(result.has_value());
  return result.has_value() ? Error{ErrorCode::kIo, "accepted"} : result.error();
}

TEST(LogHistogramFromPartsTest, RefusesEveryInconsistency) {
  ASSERT_TRUE(LogHistogram::FromParts(ThreeSampleParts()).has_value());
  ASSERT_EQ(Fill({1 * kMs, 2 * kMs, 2 * kMs}), *LogHistogram::FromParts(ThreeSampleParts()));

  HistogramParts parts = ThreeSampleParts();
  parts.buckets[1].index = kBucketCount;
  EXPECT_EQ(FromPartsError(parts).message, "histogram: bucket index 1651 out of range 0..1650");

  parts = ThreeSampleParts();
  parts.buckets[1].index = parts.buckets[0].index;
  EXPECT_EQ(FromPartsError(parts).message,
            "histogram: bucket indexes must increase, but 637 follows 637");

  parts = ThreeSampleParts();
  parts.buckets.push_back({kBucketCount - 1, 0});
  EXPECT_EQ(FromPartsError(parts).message, "histogram: bucket 1650 is stored with count 0");

  parts = ThreeSampleParts();
  parts.buckets[0].count = std::numeric_limits<std::uint64_t>::max();
  EXPECT_EQ(FromPartsError(parts).message, "histogram: bucket counts overflow 64 bits");

  parts = ThreeSampleParts();
  parts.total_count = 4;
  EXPECT_EQ(FromPartsError(parts).message,
            "histogram: total count 4 does not equal underflow 0 + overflow 0 + buckets 3");

  parts = ThreeSampleParts();
  parts.underflow_count = std::numeric_limits<std::uint64_t>::max();
  parts.overflow_count = 1;
  EXPECT_EQ(FromPartsError(parts).code, ErrorCode::kOutOfRange);

  parts = ThreeSampleParts();
  std::swap(parts.min_ns, parts.max_ns);
  EXPECT_EQ(FromPartsError(parts).message, "histogram: min 2000000ns > max 1000000ns");

  parts = ThreeSampleParts();
  parts.min_ns = 1'500'000;  // not in the first occupied bucket
  EXPECT_EQ(FromPartsError(parts).message,
            "histogram: min 1500000ns is not in the lowest occupied bucket");

  parts = ThreeSampleParts();
  parts.max_ns = 3 * kMs;
  EXPECT_EQ(FromPartsError(parts).message,
            "histogram: max 3000000ns is not in the highest occupied bucket");

  parts = ThreeSampleParts();
  parts.sum_ns = 5 * kMs + 1'000;  // above min + 2 * max = 5 ms
  EXPECT_EQ(FromPartsError(parts).message,
            "histogram: sum 5001000ns is impossible for 3 samples between min and max");

  parts = ThreeSampleParts();
  parts.sum_ns = 4 * kMs - 1;  // below max + 2 * min = 4 ms
  EXPECT_EQ(FromPartsError(parts).code, ErrorCode::kCorrupt);

  parts = HistogramParts{};
  parts.sum_ns = 1;
  EXPECT_EQ(FromPartsError(parts).message, "histogram: empty but min, max or sum is not 0");

  parts = HistogramParts{.total_count = 1,
                         .underflow_count = 1,
                         .min_ns = 5'000,
                         .max_ns = 5'000,
                         .sum_ns = 5'000,
                         .buckets = {}};
  EXPECT_EQ(FromPartsError(parts).message,
            "histogram: min 5000ns is not in the lowest occupied bucket");

  parts = HistogramParts{.total_count = 1,
                         .overflow_count = 1,
                         .min_ns = 61 * kS,
                         .max_ns = 59 * kS,
                         .sum_ns = 61 * kS,
                         .buckets = {}};
  EXPECT_EQ(FromPartsError(parts).code, ErrorCode::kCorrupt);

  parts = ThreeSampleParts();
  parts.buckets.assign(kBucketCount + 1, BucketCount{0, 1});
  EXPECT_EQ(FromPartsError(parts).message, "histogram: 1652 buckets, but only 1651 exist");
}

}  // namespace
}  // namespace linkmon::histogram
