#include "common/stats/interval_summary.h"

#include <algorithm>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace linkmon::stats {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

const SystemTime kT0 = SystemTime(std::chrono::seconds(1'767'225'600));  // 2026-01-01

// A summary of interval k (10 s long), with `rtts` received, `lost` lost, and everything else
// derived by hand so that each field has a distinct value.
IntervalSummary Make(int k, std::vector<int> rtts_ms, std::uint64_t lost, TimestampSource source,
                     std::optional<nanoseconds> jitter) {
  IntervalSummary summary;
  summary.start = kT0 + seconds(10 * k);
  summary.duration = seconds(10);
  summary.timestamp_source = source;
  summary.counts.received = rtts_ms.size();
  summary.counts.lost = lost;
  summary.counts.late = 1;
  summary.counts.sent = rtts_ms.size() + lost + 1;
  summary.counts.duplicated = static_cast<std::uint64_t>(k);
  summary.counts.reordered = 2;
  for (std::size_t i = 0; i < rtts_ms.size(); ++i) {
    summary.rtt.Record(milliseconds(rtts_ms[i]));
    summary.forward_delay.Record(milliseconds(rtts_ms[i]) / 2);
    summary.reverse_delay.Record(milliseconds(rtts_ms[i]) / 2);
    if (i > 0) {
      const nanoseconds ipdv = milliseconds(rtts_ms[i] - rtts_ms[i - 1]);
      summary.ipdv_magnitude.Record(ipdv < nanoseconds(0) ? -ipdv : ipdv);
      summary.ipdv_min = std::min(summary.ipdv_min.value_or(ipdv), ipdv);
      summary.ipdv_max = std::max(summary.ipdv_max.value_or(ipdv), ipdv);
    }
  }
  summary.rfc3550_jitter = jitter;
  summary.one_way_unsynchronized = 3;
  return summary;
}

TEST(IntervalSummaryTest, MergeAddsCountersMergesHistogramsAndSpansTime) {
  IntervalSummary a = Make(0, {10, 12, 11}, 1, TimestampSource::kKernel, milliseconds(1));
  const IntervalSummary b = Make(2, {30, 20}, 0, TimestampSource::kUserspace, milliseconds(3));
  ASSERT_TRUE(a.Merge(b));

  EXPECT_EQ(a.start, kT0);
  EXPECT_EQ(a.duration, seconds(30));  // intervals 0 and 2: from 0 s to 30 s
  EXPECT_EQ(a.timestamp_source, TimestampSource::kMixed);
  EXPECT_EQ(a.counts.sent, 5u + 3u);
  EXPECT_EQ(a.counts.received, 5u);
  EXPECT_EQ(a.counts.lost, 1u);
  EXPECT_EQ(a.counts.late, 2u);
  EXPECT_EQ(a.counts.duplicated, 2u);
  EXPECT_EQ(a.counts.reordered, 4u);
  EXPECT_EQ(a.one_way_unsynchronized, 6u);

  histogram::LogHistogram all_rtts;
  for (int ms : {10, 12, 11, 30, 20}) all_rtts.Record(milliseconds(ms));
  EXPECT_EQ(a.rtt, all_rtts);
  EXPECT_EQ(a.forward_delay.Count(), 5u);
  // IPDV pairs: +2, -1 in a and -10 in b; the pair across the intervals is not there because the
  // summaries did not know about it, and merging does not invent it.
  EXPECT_EQ(a.ipdv_magnitude.Count(), 3u);
  EXPECT_EQ(a.ipdv_min, milliseconds(-10));
  EXPECT_EQ(a.ipdv_max, milliseconds(2));
  // RFC 3550 jitter merges to the maximum.
  EXPECT_EQ(a.rfc3550_jitter, milliseconds(3));
}

TEST(IntervalSummaryTest, MergeIsCommutativeAndAssociative) {
  std::mt19937_64 rng(31);
  std::vector<IntervalSummary> parts;
  for (int k = 0; k < 8; ++k) {
    std::vector<int> rtts;
    for (std::uint64_t i = 0, n = rng() % 20; i < n; ++i)
      rtts.push_back(5 + static_cast<int>(rng() % 40));
    const TimestampSource source =
        k % 3 == 0 ? TimestampSource::kKernel : TimestampSource::kUserspace;
    std::optional<nanoseconds> jitter;
    if (rng() % 4 != 0) jitter = nanoseconds(rng() % 5'000'000);
    parts.push_back(Make(k, rtts, rng() % 3, source, jitter));
  }
  IntervalSummary forward;
  for (const IntervalSummary& part : parts) ASSERT_TRUE(forward.Merge(part));
  for (int round = 0; round < 20; ++round) {
    std::vector<IntervalSummary> shuffled = parts;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    // Merge pairwise into a tree rather than a fold, to exercise grouping.
    while (shuffled.size() > 1) {
      std::vector<IntervalSummary> next;
      for (std::size_t i = 0; i + 1 < shuffled.size(); i += 2) {
        ASSERT_TRUE(shuffled[i].Merge(shuffled[i + 1]));
        next.push_back(shuffled[i]);
      }
      if (shuffled.size() % 2 == 1) next.push_back(shuffled.back());
      shuffled = next;
    }
    ASSERT_EQ(shuffled.front(), forward) << "round " << round;
  }
}

TEST(IntervalSummaryTest, DefaultSummaryIsNeutral) {
  const IntervalSummary a = Make(1, {10, 12}, 1, TimestampSource::kKernel, milliseconds(1));
  IntervalSummary merged;
  ASSERT_TRUE(merged.Merge(a));
  EXPECT_EQ(merged, a);
  IntervalSummary b = a;
  ASSERT_TRUE(b.Merge(IntervalSummary()));
  EXPECT_EQ(b, a);
}

TEST(IntervalSummaryTest, OneWayDelayAvailableOnlyWithSamples) {
  IntervalSummary summary;
  EXPECT_FALSE(summary.OneWayDelayAvailable());
  EXPECT_EQ(summary.forward_delay.Quantile(0.5).error().code, ErrorCode::kUnavailable);
  summary.forward_delay.Record(milliseconds(5));
  summary.reverse_delay.Record(milliseconds(6));
  EXPECT_TRUE(summary.OneWayDelayAvailable());
}

TEST(IntervalSummaryTest, MergeRefusesOverflowAndChangesNothing) {
  histogram::HistogramParts parts;
  parts.total_count = std::numeric_limits<std::uint64_t>::max();
  parts.underflow_count = parts.total_count;
  IntervalSummary full = Make(0, {10}, 0, TimestampSource::kKernel, std::nullopt);
  full.reverse_delay = *histogram::LogHistogram::FromParts(parts);
  const IntervalSummary before = full;
  const auto status = full.Merge(Make(1, {10}, 0, TimestampSource::kUserspace, std::nullopt));
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, ErrorCode::kOutOfRange);
  EXPECT_EQ(full, before);
}

}  // namespace
}  // namespace linkmon::stats
