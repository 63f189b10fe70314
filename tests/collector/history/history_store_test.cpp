#include "collector/history/history_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "collector/store/summary_store.h"
#include "tests/collector/history/typical_day.h"
#include "tests/collector/sla/test_config.h"
#include "tests/collector/windows/test_minutes.h"
#include "tests/support/temp_dir.h"

namespace linkmon::history {
namespace {

using namespace std::chrono_literals;
using sla::BreachEvent;
using sla::CrossedThreshold;
using sla::ThresholdKind;
using sla::Verdict;
using testing::AppendTypicalDay;
using testing::Path;

const SystemTime t0 = testing::Epoch2026();

std::unique_ptr<HistoryStore> OpenHistory(const std::filesystem::path& path) {
  auto store = HistoryStore::Open(HistoryStoreOptions{.path = path});
  EXPECT_TRUE(store.has_value()) << store.error().message;
  return store ? std::move(*store) : nullptr;
}

BreachEvent Breach(const PathKey& path, SystemTime start, std::optional<SystemTime> end,
                   std::int64_t bad_minutes) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(start.time_since_epoch());
  return BreachEvent{.id = path.ToString() + "@" + std::to_string(seconds.count()),
                     .path = path,
                     .sla_class = testing::Class("metro"),
                     .start = start,
                     .end = end,
                     .bad_minutes = bad_minutes,
                     .crossed = {CrossedThreshold{.kind = ThresholdKind::kRttP99,
                                                  .window = 1min,
                                                  .limit = 0.001,
                                                  .worst_value = 0.0035,
                                                  .violated_minutes = bad_minutes},
                                 CrossedThreshold{.kind = ThresholdKind::kLoss,
                                                  .window = 5min,
                                                  .limit = 0.001,
                                                  .worst_value = std::nullopt,  // a dead path
                                                  .violated_minutes = 1}}};
}

sla::BreachTrackerState Tracker(std::optional<BreachEvent> pending, std::optional<BreachEvent> open,
                                int good_run, SystemTime last_bad_end) {
  return sla::BreachTrackerState{.pending = std::move(pending),
                                 .open = std::move(open),
                                 .good_run = good_run,
                                 .last_bad_end = last_bad_end};
}

class HistoryStoreTest : public ::testing::Test {
 protected:
  testing::TempDir dir_{"linkmon-history-test"};
  std::filesystem::path file_ = dir_.path() / "collector.db";
  const PathKey metro_ = Path("xining", "haidong");
  const PathKey beijing_ = Path("xining", "beijing");
};

TEST_F(HistoryStoreTest, ANewFileHasNoHistory) {
  auto store = OpenHistory(file_);
  auto loaded = store->Load(t0, 10);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_FALSE(loaded->judged_through);
  EXPECT_TRUE(loaded->verdicts.empty());
  ASSERT_TRUE(store->Write(sla::HistoryDelta{}));  // empty: nothing to do
  EXPECT_EQ(store->VerdictChangeCount().value(), 0u);
}

TEST_F(HistoryStoreTest, VerdictsTrackersAndBreachesComeBackFromAnotherConnection) {
  const BreachEvent closed = Breach(metro_, t0, t0 + 4min, 4);
  BreachEvent pending = Breach(metro_, t0 + 20min, std::nullopt, 2);
  pending.crossed.pop_back();
  const BreachEvent open = Breach(beijing_, t0 + 10min, std::nullopt, 7);
  sla::HistoryDelta delta;
  delta.verdict_changes = {{metro_, t0, Verdict::kBad},
                           {beijing_, t0, Verdict::kGood},
                           {metro_, t0 + 4min, Verdict::kGood},
                           {beijing_, t0 + 10min, Verdict::kBad},
                           {metro_, t0 + 20min, Verdict::kBad}};
  delta.closed = {closed};
  delta.trackers = {{metro_, Tracker(pending, std::nullopt, 0, t0 + 22min)},
                    {beijing_, Tracker(std::nullopt, open, 2, t0 + 19min)}};
  delta.judged_through = t0 + 22min;
  {
    auto writer = OpenHistory(file_);
    auto written = writer->Write(delta);
    ASSERT_TRUE(written) << written.error().message;
  }
  auto reader = OpenHistory(file_);
  auto loaded = reader->Load(t0 - 1h, 10);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->judged_through, t0 + 22min);
  // Grouped by path (in the order paths were first stored), each path's oldest first.
  const std::vector<sla::VerdictChange> expected_verdicts = {{metro_, t0, Verdict::kBad},
                                                             {metro_, t0 + 4min, Verdict::kGood},
                                                             {metro_, t0 + 20min, Verdict::kBad},
                                                             {beijing_, t0, Verdict::kGood},
                                                             {beijing_, t0 + 10min, Verdict::kBad}};
  EXPECT_EQ(loaded->verdicts, expected_verdicts);
  ASSERT_EQ(loaded->trackers.size(), 2u);
  EXPECT_EQ(loaded->trackers[0], delta.trackers[0]);
  EXPECT_EQ(loaded->trackers[1], delta.trackers[1]);
  ASSERT_EQ(loaded->closed.size(), 1u);
  EXPECT_EQ(loaded->closed[0], closed);

  // Verdicts from a later time: the change in force then is moved up to it.
  auto later = reader->Load(t0 + 5min, 10);
  ASSERT_TRUE(later);
  const std::vector<sla::VerdictChange> from_five = {{metro_, t0 + 5min, Verdict::kGood},
                                                     {metro_, t0 + 20min, Verdict::kBad},
                                                     {beijing_, t0 + 5min, Verdict::kGood},
                                                     {beijing_, t0 + 10min, Verdict::kBad}};
  EXPECT_EQ(later->verdicts, from_five);
}

TEST_F(HistoryStoreTest, AClosingBreachReplacesItsOpenRowAndAnIdleTrackerLeavesNone) {
  auto store = OpenHistory(file_);
  const BreachEvent open = Breach(metro_, t0, std::nullopt, 3);
  sla::HistoryDelta opened;
  opened.trackers = {{metro_, Tracker(std::nullopt, open, 0, t0 + 3min)}};
  opened.judged_through = t0 + 3min;
  ASSERT_TRUE(store->Write(opened));
  // In one delta (as a rebuild's many closes give): still open, then closed, then idle.
  BreachEvent closed = open;
  closed.end = t0 + 3min;
  sla::HistoryDelta closing;
  closing.trackers = {{metro_, Tracker(std::nullopt, open, 4, t0 + 3min)},
                      {metro_, sla::BreachTrackerState{}}};
  closing.closed = {closed};
  closing.judged_through = t0 + 8min;
  ASSERT_TRUE(store->Write(closing));
  EXPECT_EQ(store->BreachCount().value(), 1u);
  auto loaded = store->Load(t0, 10);
  ASSERT_TRUE(loaded);
  EXPECT_TRUE(loaded->trackers.empty());
  ASSERT_EQ(loaded->closed.size(), 1u);
  EXPECT_EQ(loaded->closed[0], closed);
}

TEST_F(HistoryStoreTest, ClosedBreachesFiltersOverlapsAndPages) {
  auto store = OpenHistory(file_);
  sla::HistoryDelta delta;
  for (int i = 0; i < 5; ++i) {
    delta.closed.push_back(Breach(metro_, t0 + i * 1h, t0 + i * 1h + 10min, 10));
  }
  delta.closed.push_back(Breach(beijing_, t0 + 1h, t0 + 1h + 5min, 5));
  delta.closed.push_back(Breach(Path("haidong", "xining"), t0 + 2h, t0 + 2h + 5min, 5));
  delta.judged_through = t0 + 5h;
  ASSERT_TRUE(store->Write(delta));

  auto all = store->ClosedBreaches({t0, t0 + 5h, std::nullopt, std::nullopt}, std::nullopt, 100);
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 7u);
  for (std::size_t i = 1; i < all->size(); ++i) {
    const auto& a = (*all)[i - 1];
    const auto& b = (*all)[i];
    EXPECT_TRUE(a.start < b.start || (a.start == b.start && a.id < b.id)) << i;
  }
  // Overlap: a breach from 01:00 to 01:10 overlaps [01:05, 01:06), not [01:10, 01:20).
  auto overlapping = store->ClosedBreaches(
      {t0 + 1h + 5min, t0 + 1h + 6min, testing::Site("xining"), testing::Target("haidong")},
      std::nullopt, 100);
  ASSERT_EQ(overlapping->size(), 1u);
  EXPECT_EQ(overlapping->front().start, t0 + 1h);
  EXPECT_TRUE(store
                  ->ClosedBreaches({t0 + 1h + 10min, t0 + 1h + 20min, testing::Site("xining"),
                                    testing::Target("haidong")},
                                   std::nullopt, 100)
                  ->empty());
  auto from_haidong = store->ClosedBreaches({t0, t0 + 5h, testing::Site("haidong"), std::nullopt},
                                            std::nullopt, 100);
  ASSERT_EQ(from_haidong->size(), 1u);
  // Pages of two, each continuing after the last of the one before.
  std::vector<std::string> paged;
  std::optional<sla::BreachArchive::Position> after;
  for (int page = 0; page < 10; ++page) {
    auto events = store->ClosedBreaches({t0, t0 + 5h, std::nullopt, std::nullopt}, after, 2);
    ASSERT_TRUE(events);
    if (events->empty()) break;
    EXPECT_LE(events->size(), 2u);
    for (const auto& event : *events) paged.push_back(event.id);
    after = sla::BreachArchive::Position{events->back().start, events->back().id};
  }
  std::vector<std::string> ids;
  for (const auto& event : *all) ids.push_back(event.id);
  EXPECT_EQ(paged, ids);
}

TEST_F(HistoryStoreTest, PruneDropsOldVerdictsAndBreachesButKeepsTheVerdictInForce) {
  {
    auto history = OpenHistory(file_);
    sla::HistoryDelta delta;
    delta.verdict_changes = {{metro_, t0, Verdict::kGood},
                             {metro_, t0 + 1h, Verdict::kBad},
                             {metro_, t0 + 2h, Verdict::kGood},
                             {beijing_, t0 + 3h, Verdict::kGood}};
    delta.closed = {Breach(metro_, t0 + 1h, t0 + 2h, 60), Breach(beijing_, t0 + 3h, t0 + 4h, 60)};
    delta.trackers = {{Path("haidong", "xining"),
                       Tracker(std::nullopt, Breach(Path("haidong", "xining"), t0, std::nullopt, 3),
                               0, t0 + 3min)}};
    delta.judged_through = t0 + 5h;
    ASSERT_TRUE(history->Write(delta));
  }
  auto store = store::SummaryStore::Open(store::StoreOptions{.path = file_});
  ASSERT_TRUE(store) << store.error().message;
  auto pruned = (*store)->Prune(t0 + 2h + 30min);
  ASSERT_TRUE(pruned) << pruned.error().message;
  EXPECT_EQ(pruned->verdict_changes_deleted, 2u);  // metro's 00:00 and 01:00
  EXPECT_EQ(pruned->breaches_deleted, 2u);         // metro's closed one, haidong's stale open one

  auto history = OpenHistory(file_);
  auto loaded = history->Load(t0, 10);
  ASSERT_TRUE(loaded);
  // metro's good spell from 02:00 still holds at the cutoff: it now starts there.
  const std::vector<sla::VerdictChange> kept = {{metro_, t0 + 2h + 30min, Verdict::kGood},
                                                {beijing_, t0 + 3h, Verdict::kGood}};
  EXPECT_EQ(loaded->verdicts, kept);
  EXPECT_TRUE(loaded->trackers.empty());
  ASSERT_EQ(loaded->closed.size(), 1u);
  EXPECT_EQ(loaded->closed[0].path, beijing_);
}

// The schema of a version 1 file, as collector/store/summary_store.cpp created it before the SLA
// history existed (the fixture the migration starts from).
constexpr std::string_view kVersion1Schema = R"sql(
CREATE TABLE batches (probe TEXT NOT NULL, probe_start_ns INTEGER NOT NULL,
  sequence_key INTEGER NOT NULL, received_ns INTEGER NOT NULL, summaries INTEGER NOT NULL,
  PRIMARY KEY (probe, probe_start_ns, sequence_key)) WITHOUT ROWID;
CREATE INDEX batches_by_received ON batches (received_ns);
CREATE TABLE paths (id INTEGER PRIMARY KEY, source TEXT NOT NULL, target TEXT NOT NULL,
  method TEXT NOT NULL, UNIQUE (source, target, method));
CREATE TABLE minutes (path_id INTEGER NOT NULL REFERENCES paths (id),
  minute_ns INTEGER NOT NULL, start_ns INTEGER NOT NULL, duration_ns INTEGER NOT NULL,
  timestamp_source TEXT NOT NULL, sent INTEGER NOT NULL, received INTEGER NOT NULL,
  late INTEGER NOT NULL, lost INTEGER NOT NULL, untracked INTEGER NOT NULL,
  duplicated INTEGER NOT NULL, reordered INTEGER NOT NULL,
  one_way_unsynchronized INTEGER NOT NULL, rtt BLOB, ipdv_magnitude BLOB, ipdv_min_ns INTEGER,
  ipdv_max_ns INTEGER, rfc3550_jitter_ns INTEGER, forward_delay BLOB, reverse_delay BLOB,
  throughput_bps INTEGER, PRIMARY KEY (path_id, minute_ns)) WITHOUT ROWID;
CREATE INDEX minutes_by_time ON minutes (minute_ns);
INSERT INTO paths (id, source, target, method) VALUES (7, 'xining', 'haidong', 'icmp');
INSERT INTO minutes VALUES (7, 1767225600000000000, 1767225600000000000, 10000000000, 'userspace',
  10, 9, 0, 1, 0, 0, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
PRAGMA user_version = 1;
)sql";

TEST_F(HistoryStoreTest, AVersionOneFileIsMigratedKeepingItsMinutes) {
  {
    auto db = sqlite::Database::Open({.path = file_});
    ASSERT_TRUE(db);
    auto created = db->Execute(kVersion1Schema);
    ASSERT_TRUE(created) << created.error().message;
  }
  auto history = OpenHistory(file_);
  ASSERT_NE(history, nullptr);
  auto loaded = history->Load(t0, 10);
  ASSERT_TRUE(loaded);
  EXPECT_FALSE(loaded->judged_through);  // no history yet: the replay judges
  sla::HistoryDelta delta;
  delta.verdict_changes = {{metro_, t0, Verdict::kBad}};
  delta.judged_through = t0 + 1min;
  ASSERT_TRUE(history->Write(delta));

  auto store = store::SummaryStore::Open(store::StoreOptions{.path = file_});
  ASSERT_TRUE(store) << store.error().message;
  auto minutes = (*store)->MinuteSummaries(metro_, t0, t0 + 1min);
  ASSERT_TRUE(minutes) << minutes.error().message;
  ASSERT_EQ(minutes->size(), 1u);
  EXPECT_EQ(minutes->front().summary.counts.lost, 1u);
  // The verdict names the path the minutes name: one paths row.
  auto paths = (*store)->Paths();
  ASSERT_EQ(paths->size(), 1u);
  auto version = sqlite::Database::Open({.path = file_})->Prepare("PRAGMA user_version");
  ASSERT_TRUE(version);
  ASSERT_TRUE(version->Step().value());
  EXPECT_EQ(version->ColumnInt(0), 2);
  EXPECT_EQ(OpenHistory(file_)->Load(t0, 10)->verdicts.size(), 1u);
}

TEST_F(HistoryStoreTest, ANewerSchemaIsRefused) {
  {
    auto db = sqlite::Database::Open({.path = file_});
    ASSERT_TRUE(db->Execute("PRAGMA user_version = 3"));
  }
  auto history = HistoryStore::Open(HistoryStoreOptions{.path = file_});
  ASSERT_FALSE(history);
  EXPECT_EQ(history.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(history.error().message.find("has schema version 3; this build knows 2"),
            std::string::npos);
}

// The size figure in history_store.h: 10,000 paths x 7 days, each path with a bad spell and an
// unknown one a day (4 verdict changes), written a day per transaction.
TEST_F(HistoryStoreTest, VerdictBytesPerPathDay) {
  constexpr int kPaths = 10'000;
  constexpr int kDays = 7;
  std::vector<PathKey> paths;
  for (int i = 0; i < kPaths; ++i) {
    paths.push_back(PathKey{testing::Site("site" + std::to_string(i / 100)),
                            testing::Target("target" + std::to_string(i % 100)), Method::kIcmp});
  }
  std::uintmax_t empty_bytes = 0;
  {
    auto history = OpenHistory(file_);
    // The paths rows exist anyway (the minutes name them): not part of the figure.
    sla::HistoryDelta first;
    for (const auto& path : paths) first.verdict_changes.push_back({path, t0, Verdict::kGood});
    ASSERT_TRUE(history->Write(first));
  }
  empty_bytes = std::filesystem::file_size(file_);
  {
    auto history = OpenHistory(file_);
    for (int day = 0; day < kDays; ++day) {
      sla::HistoryDelta delta;
      const SystemTime midnight = t0 + day * 24h;
      AppendTypicalDay(delta, paths, midnight);
      delta.judged_through = midnight + 24h;
      ASSERT_TRUE(history->Write(delta));
    }
    ASSERT_EQ(history->VerdictChangeCount().value(),
              static_cast<std::uint64_t>(kPaths) * (1 + 4 * kDays));
  }  // closing the last connection checkpoints the WAL into the file
  const double per_path_day = static_cast<double>(std::filesystem::file_size(file_) - empty_bytes) /
                              (static_cast<double>(kPaths) * kDays);
  RecordProperty("bytes_per_path_day", std::to_string(per_path_day));
  std::printf("verdict bytes per path-day (4 changes a day): %.1f\n", per_path_day);
  EXPECT_LT(per_path_day, 4 * 32.0);  // a change row is well under 32 bytes
}

}  // namespace
}  // namespace linkmon::history
