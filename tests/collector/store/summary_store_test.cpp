#include "collector/store/summary_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <limits>

#include "tests/common/batch/batch_examples.h"
#include "tests/support/temp_dir.h"

namespace linkmon::store {
namespace {

using batch::testing::ExampleBatch;
using batch::testing::ExampleTime;
using std::chrono::minutes;
using std::chrono::seconds;

class TempDir : public linkmon::testing::TempDir {
 public:
  TempDir() : linkmon::testing::TempDir("linkmon-store-test") {}
};

std::unique_ptr<SummaryStore> OpenStore(const std::filesystem::path& path,
                                        std::uint64_t replay_window = 1024) {
  auto store = SummaryStore::Open(StoreOptions{.path = path, .replay_window = replay_window});
  EXPECT_TRUE(store.has_value()) << store.error().message;
  return std::move(*store);
}

const PathKey& FirstPath(const batch::Batch& b) { return b.summaries.front().path; }

TEST(SummaryStoreTest, StoresABatchAsMinutesAndReadsThemBack) {
  TempDir dir;
  auto store = OpenStore(dir.path() / "c.db");
  const batch::Batch b = ExampleBatch("xining", 1, 4, ExampleTime() + seconds(20));
  auto applied = store->ApplyBatch(b, ExampleTime() + minutes(1));
  ASSERT_TRUE(applied.has_value()) << applied.error().message;
  EXPECT_EQ(applied->outcome, ApplyOutcome::kApplied);

  auto minutes_read =
      store->MinuteSummaries(FirstPath(b), ExampleTime(), ExampleTime() + minutes(1));
  ASSERT_TRUE(minutes_read.has_value()) << minutes_read.error().message;
  ASSERT_EQ(minutes_read->size(), 1u);
  const MinuteRecord& m = minutes_read->front();
  EXPECT_EQ(m.path, FirstPath(b));
  EXPECT_EQ(m.minute, ExampleTime());  // the interval started at :20, filed under the minute
  EXPECT_EQ(m.summary, b.summaries.front().summary);
  EXPECT_EQ(m.throughput, std::nullopt);

  // Outside [from, to): nothing.
  EXPECT_TRUE(
      store->MinuteSummaries(FirstPath(b), ExampleTime() + minutes(1), ExampleTime() + minutes(5))
          ->empty());
  EXPECT_EQ(store->Paths()->size(), 4u);
  EXPECT_EQ(store->MinuteCount().value(), 4u);
  EXPECT_GT(store->DiskBytes(), 0u);
}

TEST(SummaryStoreTest, AppliesARetriedBatchOnce) {
  TempDir dir;
  auto store = OpenStore(dir.path() / "c.db");
  const batch::Batch b = ExampleBatch("xining", 7, 2);
  ASSERT_EQ(store->ApplyBatch(b, ExampleTime())->outcome, ApplyOutcome::kApplied);
  auto again = store->ApplyBatch(b, ExampleTime() + seconds(5));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->outcome, ApplyOutcome::kDuplicate);
  auto read = store->MinuteSummaries(FirstPath(b), ExampleTime(), ExampleTime() + minutes(1));
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ(read->front().summary.counts.sent, 10u);  // not 20
  EXPECT_EQ(store->BatchCount().value(), 1u);
}

TEST(SummaryStoreTest, MergesIntervalsOfTheSameMinute) {
  TempDir dir;
  auto store = OpenStore(dir.path() / "c.db");
  const batch::Batch first = ExampleBatch("xining", 1, 2, ExampleTime());
  const batch::Batch second = ExampleBatch("xining", 2, 2, ExampleTime() + seconds(10));
  const batch::Batch next_minute = ExampleBatch("xining", 3, 2, ExampleTime() + seconds(60));
  for (const auto* b : {&first, &second, &next_minute}) {
    ASSERT_EQ(store->ApplyBatch(*b, ExampleTime())->outcome, ApplyOutcome::kApplied);
  }
  auto read = store->MinuteSummaries(FirstPath(first), ExampleTime(), ExampleTime() + minutes(2));
  ASSERT_EQ(read->size(), 2u);
  stats::IntervalSummary expected = first.summaries[0].summary;
  ASSERT_TRUE(expected.Merge(second.summaries[0].summary).has_value());
  EXPECT_EQ((*read)[0].summary, expected);
  EXPECT_EQ((*read)[0].summary.counts.sent, 20u);
  EXPECT_EQ((*read)[0].summary.rtt.Count(), 18u);
  EXPECT_EQ((*read)[1].minute, ExampleTime() + minutes(1));
  EXPECT_EQ((*read)[1].summary, next_minute.summaries[0].summary);
}

TEST(SummaryStoreTest, KeepsTheLowestThroughputOfAMinute) {
  TempDir dir;
  auto store = OpenStore(dir.path() / "c.db");
  for (std::uint64_t seq : {1u, 2u}) {
    batch::Batch b = ExampleBatch("xining", seq, 0);
    batch::PathSummary entry{.path = PathKey{.source = b.probe,
                                             .target = TargetName::Make("lanzhou").value(),
                                             .method = Method::kThroughput},
                             .summary = {},
                             .throughput = Bandwidth{seq == 1 ? 900'000'000u : 400'000'000u}};
    entry.summary.start = ExampleTime() + seconds(seq * 10);
    entry.summary.duration = seconds(5);
    b.summaries.push_back(entry);
    ASSERT_EQ(store->ApplyBatch(b, ExampleTime())->outcome, ApplyOutcome::kApplied);
  }
  auto read = store->AllPathsSince(ExampleTime());
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ(read->front().throughput, Bandwidth{400'000'000u});
}

TEST(SummaryStoreTest, RefusesSequencesFarBelowTheEpochsHighest) {
  TempDir dir;
  auto store = OpenStore(dir.path() / "c.db", /*replay_window=*/10);
  ASSERT_EQ(store->ApplyBatch(ExampleBatch("xining", 100, 1), ExampleTime())->outcome,
            ApplyOutcome::kApplied);
  auto stale = store->ApplyBatch(ExampleBatch("xining", 89, 1), ExampleTime());
  EXPECT_EQ(stale->outcome, ApplyOutcome::kStale);
  EXPECT_EQ(stale->highest_sequence, 100u);
  EXPECT_EQ(store->ApplyBatch(ExampleBatch("xining", 90, 1), ExampleTime())->outcome,
            ApplyOutcome::kApplied);
  // Another epoch numbers afresh; another probe is independent.
  batch::Batch new_epoch = ExampleBatch("xining", 0, 1);
  new_epoch.probe_start += seconds(1);
  EXPECT_EQ(store->ApplyBatch(new_epoch, ExampleTime())->outcome, ApplyOutcome::kApplied);
  EXPECT_EQ(store->ApplyBatch(ExampleBatch("haidong", 0, 1), ExampleTime())->outcome,
            ApplyOutcome::kApplied);
  EXPECT_FALSE(store->HasBatch(new_epoch.probe, ExampleTime() - std::chrono::hours(1), 89).value());
}

TEST(SummaryStoreTest, OrdersSequencesAsUnsigned) {
  TempDir dir;
  auto store = OpenStore(dir.path() / "c.db", /*replay_window=*/10);
  const std::uint64_t top = std::numeric_limits<std::uint64_t>::max();
  for (std::uint64_t seq : {top - 5, top, std::uint64_t{1} << 63, (std::uint64_t{1} << 63) - 1}) {
    auto outcome = store->ApplyBatch(ExampleBatch("xining", seq, 1), ExampleTime());
    ASSERT_TRUE(outcome.has_value());
    // The last two are 2^63 below the highest: far behind in unsigned order.
    EXPECT_EQ(outcome->outcome, seq >= top - 5 ? ApplyOutcome::kApplied : ApplyOutcome::kStale)
        << seq;
    EXPECT_EQ(outcome->highest_sequence, seq == top - 5 ? top - 5 : top) << seq;
  }
}

TEST(SummaryStoreTest, KeepsEverythingAcrossReopen) {
  TempDir dir;
  const batch::Batch b = ExampleBatch("xining", 3, 6);
  {
    auto store = OpenStore(dir.path() / "c.db");
    ASSERT_EQ(store->ApplyBatch(b, ExampleTime())->outcome, ApplyOutcome::kApplied);
  }
  auto store = OpenStore(dir.path() / "c.db");
  EXPECT_TRUE(store->HasBatch(b.probe, b.probe_start, b.sequence).value());
  EXPECT_EQ(store->ApplyBatch(b, ExampleTime())->outcome, ApplyOutcome::kDuplicate);
  auto all = store->AllPathsSince(ExampleTime() - minutes(1));
  ASSERT_EQ(all->size(), 6u);
  for (std::size_t i = 1; i < all->size(); ++i) {
    EXPECT_LE((*all)[i - 1].minute, (*all)[i].minute);
  }
  // A new path after reopen gets its own id (the cache was rebuilt from the file).
  EXPECT_EQ(store->ApplyBatch(ExampleBatch("xining", 4, 8), ExampleTime())->outcome,
            ApplyOutcome::kApplied);
  EXPECT_EQ(store->Paths()->size(), 8u);
}

TEST(SummaryStoreTest, StoresNothingOfABatchThatFailsHalfWay) {
  TempDir dir;
  auto store = OpenStore(dir.path() / "c.db");
  // A stored minute whose RTT histogram is nearly full: the second summary of the next batch
  // cannot merge into it, after the first summary and the batch key were written.
  batch::Batch full = ExampleBatch("xining", 1, 2);
  const std::uint64_t huge = std::numeric_limits<std::uint64_t>::max() - 3;
  auto histogram = histogram::LogHistogram::FromParts(
      histogram::HistogramParts{.total_count = huge, .underflow_count = huge, .buckets = {}});
  ASSERT_TRUE(histogram.has_value()) << histogram.error().message;
  full.summaries[1].summary.rtt = *histogram;
  ASSERT_EQ(store->ApplyBatch(full, ExampleTime())->outcome, ApplyOutcome::kApplied);

  const batch::Batch next = ExampleBatch("xining", 2, 2, ExampleTime() + seconds(10));
  auto failed = store->ApplyBatch(next, ExampleTime());
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code, ErrorCode::kOutOfRange);
  EXPECT_FALSE(store->HasBatch(next.probe, next.probe_start, next.sequence).value());
  auto first_path =
      store->MinuteSummaries(FirstPath(next), ExampleTime(), ExampleTime() + minutes(1));
  EXPECT_EQ(first_path->front().summary.counts.sent, 10u);  // the first summary was rolled back
  // The store still works.
  EXPECT_EQ(
      store->ApplyBatch(ExampleBatch("xining", 3, 1, ExampleTime() + minutes(1)), ExampleTime())
          ->outcome,
      ApplyOutcome::kApplied);
}

TEST(SummaryStoreTest, PrunesMinutesAndBatchKeysOlderThanRetention) {
  TempDir dir;
  auto store = OpenStore(dir.path() / "c.db");
  ASSERT_EQ(store->ApplyBatch(ExampleBatch("xining", 1, 2, ExampleTime()), ExampleTime())->outcome,
            ApplyOutcome::kApplied);
  ASSERT_EQ(store
                ->ApplyBatch(ExampleBatch("xining", 2, 2, ExampleTime() + minutes(10)),
                             ExampleTime() + minutes(10))
                ->outcome,
            ApplyOutcome::kApplied);
  auto pruned = store->Prune(ExampleTime() + minutes(5));
  ASSERT_TRUE(pruned.has_value()) << pruned.error().message;
  EXPECT_EQ(pruned->minutes_deleted, 2u);
  EXPECT_EQ(pruned->batches_deleted, 1u);
  EXPECT_EQ(store->MinuteCount().value(), 2u);
  EXPECT_EQ(store->BatchCount().value(), 1u);
  EXPECT_EQ(store->AllPathsSince(ExampleTime() - minutes(100))->front().minute,
            ExampleTime() + minutes(10));
}

TEST(SummaryStoreTest, PrunesInSlicesPathByPath) {
  TempDir dir;
  auto store = OpenStore(dir.path() / "c.db");
  // Minutes 0-4 of 3 paths (15 rows, 5 batch keys) are older than the cutoff; minute 10 is not.
  for (int m = 0; m <= 4; ++m) {
    const SystemTime at = ExampleTime() + minutes(m);
    ASSERT_EQ(
        store->ApplyBatch(ExampleBatch("xining", static_cast<std::uint64_t>(m + 1), 3, at), at)
            ->outcome,
        ApplyOutcome::kApplied);
  }
  const SystemTime later = ExampleTime() + minutes(10);
  ASSERT_EQ(store->ApplyBatch(ExampleBatch("xining", 6, 3, later), later)->outcome,
            ApplyOutcome::kApplied);
  const PathKey first_path = FirstPath(ExampleBatch("xining", 1, 3));

  // A slice ends with the path that reaches max_rows: the first path's five old minutes.
  auto first = store->Prune(ExampleTime() + minutes(5), /*max_rows=*/4);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_FALSE(first->complete);
  EXPECT_EQ(first->minutes_deleted, 5u);
  EXPECT_EQ(first->batches_deleted, 4u);
  EXPECT_EQ(store->MinuteSummaries(first_path, ExampleTime(), later + minutes(1))->size(), 1u);
  EXPECT_EQ(store->MinuteCount().value(), 13u);

  PruneResult total = *first;
  int calls = 1;
  while (!total.complete && calls < 10) {
    auto next = store->Prune(ExampleTime() + minutes(5), 4);
    ASSERT_TRUE(next.has_value()) << next.error().message;
    EXPECT_EQ(next->minutes_deleted, 5u);
    total.minutes_deleted += next->minutes_deleted;
    total.batches_deleted += next->batches_deleted;
    total.complete = next->complete;
    ++calls;
  }
  EXPECT_TRUE(total.complete);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(total.minutes_deleted, 15u);
  EXPECT_EQ(total.batches_deleted, 5u);
  EXPECT_EQ(store->MinuteCount().value(), 3u);
  EXPECT_EQ(store->BatchCount().value(), 1u);

  // A completed prune starts the next one from the first path again.
  const SystemTime old = ExampleTime() + minutes(1);
  ASSERT_EQ(store->ApplyBatch(ExampleBatch("xining", 7, 3, old), later)->outcome,
            ApplyOutcome::kApplied);
  auto again = store->Prune(ExampleTime() + minutes(5));
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_TRUE(again->complete);
  EXPECT_EQ(again->minutes_deleted, 3u);
}

TEST(SummaryStoreTest, RefusesAFileOfAnotherSchemaVersion) {
  TempDir dir;
  {
    auto db = sqlite::Database::Open({.path = dir.path() / "c.db"});
    ASSERT_TRUE(db->Execute("PRAGMA user_version = 99").has_value());
  }
  auto store = SummaryStore::Open(StoreOptions{.path = dir.path() / "c.db"});
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code, ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace linkmon::store
