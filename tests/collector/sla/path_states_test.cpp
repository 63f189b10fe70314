#include "collector/sla/path_states.h"

#include <gtest/gtest.h>

#include "tests/collector/sla/test_config.h"
#include "tests/collector/windows/test_minutes.h"

namespace linkmon::sla {
namespace {

using namespace std::chrono_literals;
using testing::Epoch2026;
using testing::Path;
using testing::SummaryAt;

BreachQuery Query(SystemTime from, SystemTime to) {
  return BreachQuery{from, to, std::nullopt, std::nullopt};
}

class PathStatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto states = PathStates::Create(config_, clock_, PathStatesOptions{});
    ASSERT_TRUE(states) << states.error().message;
    states_ = std::move(*states);
  }

  // Six 10 s summaries filling the minute starting at `minute`, 10 probes each, with `rtt`; each
  // arrives when its interval ends, as a probe uploads it (the clock moves, nothing ticks).
  void FillMinute(const PathKey& path, SystemTime minute, std::chrono::nanoseconds rtt,
                  std::uint64_t lost_per_interval = 0) {
    for (int i = 0; i < 6; ++i) {
      const auto summary =
          SummaryAt(minute + i * 10s, rtt, 10 - lost_per_interval, lost_per_interval);
      const SystemTime arrival = summary.start + summary.duration;
      if (arrival > clock_.SystemNow()) clock_.Advance(arrival - clock_.SystemNow());
      auto applied = states_->Apply(path, summary);
      ASSERT_TRUE(applied) << applied.error().message;
      records_.push_back(MinuteRecord{path, minute, summary, std::nullopt});
    }
  }

  // Moves the clock to `offset` after 2026-01-01T00:00:00Z and ticks.
  void At(std::chrono::nanoseconds offset) {
    clock_.Advance(t0_ + offset - clock_.SystemNow());
    states_->Tick(clock_.SystemNow());
  }

  const TrackedPath& Tracked(const PathKey& path) { return *states_->Find(path); }

  config::Config config_ = testing::MakeTestConfig();
  FakeClock clock_;
  SystemTime t0_ = Epoch2026();
  std::unique_ptr<PathStates> states_;
  std::vector<MinuteRecord> records_;
  const PathKey metro_ = Path("xining", "haidong");
};

TEST_F(PathStatesTest, KnowsThePathsSitesAndClassesOfTheConfig) {
  ASSERT_EQ(states_->paths().size(), 6u);
  EXPECT_EQ(states_->paths().front().key, Path("haidong", "xining"));  // sorted by key
  EXPECT_EQ(states_->PathsFrom(testing::Site("xining")).size(), 5u);
  EXPECT_EQ(states_->PathsFrom(testing::Site("beijing")).size(), 0u);
  EXPECT_TRUE(states_->KnowsSite("shanghai"));
  EXPECT_FALSE(states_->KnowsSite("lhasa"));
  EXPECT_TRUE(states_->KnowsTarget("haidong"));
  EXPECT_NE(states_->FindSlaClass("metro"), nullptr);
  EXPECT_EQ(states_->FindSlaClass("gold"), nullptr);
  EXPECT_EQ(Tracked(metro_).sla_class.name.str(), "metro");
}

TEST_F(PathStatesTest, AMinuteClosesOnlyAfterItsEndPlusTheCloseDelay) {
  FillMinute(metro_, t0_, 500us);
  At(1min + 19s);
  EXPECT_EQ(states_->next_minute_to_close(), t0_);
  EXPECT_EQ(Tracked(metro_).budget.totals().good, 0);
  const auto version = states_->version();
  At(1min + 20s);
  EXPECT_EQ(states_->next_minute_to_close(), t0_ + 1min);
  EXPECT_GT(states_->version(), version);
  EXPECT_EQ(Tracked(metro_).budget.totals(), (MinuteCounts{.good = 1, .bad = 0, .unknown = 0}));
  EXPECT_EQ(Tracked(metro_).judgement.verdict, Verdict::kGood);
  EXPECT_EQ(states_->StateAt(Tracked(metro_), clock_.SystemNow()), PathState::kOk);
  // The snapshot holds the windows ending with the closed minute.
  ASSERT_EQ(Tracked(metro_).windows.size(), 3u);
  EXPECT_EQ(Tracked(metro_).windows[0].counts.received, 60u);
  EXPECT_EQ(Tracked(metro_).DataAge(clock_.SystemNow()), 20s);
  // Every other path had no data: its minute is unknown and its state too.
  const TrackedPath& silent = Tracked(Path("xining", "beijing"));
  EXPECT_EQ(silent.budget.totals(), (MinuteCounts{.good = 0, .bad = 0, .unknown = 1}));
  EXPECT_EQ(states_->StateAt(silent, clock_.SystemNow()), PathState::kUnknown);
}

TEST_F(PathStatesTest, BadMinutesOpenABreachAfterThreeAndGoodOnesCloseItAfterFive) {
  // Each minute is filled as its summaries arrive, so the clock only moves forward.
  for (int m = 0; m < 2; ++m) FillMinute(metro_, t0_ + m * 1min, 2ms);  // p99 2 ms > 1 ms
  At(2min + 20s);
  EXPECT_EQ(states_->StateAt(Tracked(metro_), clock_.SystemNow()), PathState::kBad);
  EXPECT_EQ(Tracked(metro_).breaches.open(), nullptr);
  FillMinute(metro_, t0_ + 2min, 2ms);
  At(3min + 20s);
  EXPECT_EQ(states_->StateAt(Tracked(metro_), clock_.SystemNow()), PathState::kBreach);
  ASSERT_NE(Tracked(metro_).breaches.open(), nullptr);
  EXPECT_EQ(Tracked(metro_).breaches.open()->start, t0_);
  for (int m = 3; m < 7; ++m) FillMinute(metro_, t0_ + m * 1min, 400us);
  At(7min + 20s);
  EXPECT_NE(Tracked(metro_).breaches.open(), nullptr);  // four good minutes
  FillMinute(metro_, t0_ + 7min, 400us);
  At(8min + 20s);
  EXPECT_EQ(Tracked(metro_).breaches.open(), nullptr);
  EXPECT_EQ(states_->StateAt(Tracked(metro_), clock_.SystemNow()), PathState::kOk);
  auto breaches = states_->BreachesBetween(Query(t0_, t0_ + 1h));
  ASSERT_EQ(breaches.size(), 1u);
  EXPECT_EQ(breaches[0].end, t0_ + 3min);
  EXPECT_EQ(breaches[0].bad_minutes, 3);
  EXPECT_EQ(Tracked(metro_).budget.totals(), (MinuteCounts{.good = 5, .bad = 3, .unknown = 0}));
  // Filters: other sources or targets, and ranges that miss it, find nothing.
  BreachQuery other_source = Query(t0_, t0_ + 1h);
  other_source.source = testing::Site("haidong");
  EXPECT_TRUE(states_->BreachesBetween(other_source).empty());
  BreachQuery other_target = Query(t0_, t0_ + 1h);
  other_target.target = testing::Target("beijing");
  EXPECT_TRUE(states_->BreachesBetween(other_target).empty());
  BreachQuery same = Query(t0_, t0_ + 1h);
  same.source = testing::Site("xining");
  same.target = testing::Target("haidong");
  EXPECT_EQ(states_->BreachesBetween(same).size(), 1u);
  EXPECT_TRUE(states_->BreachesBetween(Query(t0_ + 3min, t0_ + 1h)).empty());
  EXPECT_EQ(states_->BreachesBetween(Query(t0_ + 2min, t0_ + 2min + 1s)).size(), 1u);
}

TEST_F(PathStatesTest, ASilentPathTurnsStaleNeverStaysGreen) {
  FillMinute(metro_, t0_, 500us);
  At(1min + 20s);
  EXPECT_EQ(states_->StateAt(Tracked(metro_), clock_.SystemNow()), PathState::kOk);
  At(2min);
  EXPECT_EQ(states_->StateAt(Tracked(metro_), clock_.SystemNow()), PathState::kOk);
  // 00:01 closed without data: unknown at once, although the data (ended 00:01:00) is fresh
  // until it is two minutes old.
  At(3min);
  EXPECT_EQ(states_->StateAt(Tracked(metro_), clock_.SystemNow()), PathState::kUnknown);
  At(3min + 1s);
  EXPECT_EQ(states_->StateAt(Tracked(metro_), clock_.SystemNow()), PathState::kStale);
  // The silent minutes are unknown, although the 5 min and 1 h windows still hold data.
  EXPECT_EQ(Tracked(metro_).budget.totals(), (MinuteCounts{.good = 1, .bad = 0, .unknown = 1}));
  EXPECT_EQ(Tracked(metro_).windows[1].counts.received, 60u);
}

TEST_F(PathStatesTest, LateDataEntersTheWindowsButTheVerdictGivenStands) {
  At(1min + 20s);  // 00:00 closes empty: unknown
  EXPECT_EQ(Tracked(metro_).budget.totals().unknown, 1);
  auto late = states_->Apply(metro_, SummaryAt(t0_ + 50s, 500us, 10));
  ASSERT_TRUE(late);
  EXPECT_EQ(*late, PathStates::Applied::kLate);
  auto on_time = states_->Apply(metro_, SummaryAt(t0_ + 1min, 500us, 10));
  ASSERT_TRUE(on_time);
  EXPECT_EQ(*on_time, PathStates::Applied::kOnTime);
  At(2min + 20s);
  EXPECT_EQ(Tracked(metro_).budget.totals(), (MinuteCounts{.good = 1, .bad = 0, .unknown = 1}));
  EXPECT_EQ(Tracked(metro_).windows[1].counts.received, 20u);  // 5 min window has both
}

TEST_F(PathStatesTest, RefusesUnknownPathsEmptySummariesFutureAndTooOldData) {
  auto unknown = states_->Apply(Path("beijing", "xining"), SummaryAt(t0_, 1ms, 10));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(unknown.error().message,
            "path states: unknown path beijing->xining/icmp (not in the config)");
  auto empty = states_->Apply(metro_, SummaryAt(t0_, 1ms, 10, 0, 0s));
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("covers no time"), std::string::npos);
  auto future = states_->Apply(metro_, SummaryAt(t0_ + 2min, 1ms, 10));
  ASSERT_FALSE(future);
  EXPECT_EQ(future.error().code, ErrorCode::kOutOfRange);
  EXPECT_TRUE(states_->Apply(metro_, SummaryAt(t0_ + 1min, 1ms, 10)));  // within the tolerance
  auto old = states_->Apply(metro_, SummaryAt(t0_ - 1h, 1ms, 10));
  ASSERT_FALSE(old);
  EXPECT_EQ(old.error().code, ErrorCode::kOutOfRange);
  EXPECT_TRUE(states_->Apply(metro_, SummaryAt(t0_ - 59min, 1ms, 10)));
  auto not_throughput = states_->ApplyThroughput(metro_, t0_, Bandwidth{1});
  ASSERT_FALSE(not_throughput);
  EXPECT_NE(not_throughput.error().message.find("not a throughput path"), std::string::npos);
}

TEST_F(PathStatesTest, ALongSilenceClosesAsUnknownMinutesInOneStep) {
  FillMinute(metro_, t0_, 500us);
  At(24h + 20s);
  EXPECT_EQ(Tracked(metro_).budget.totals(),
            (MinuteCounts{.good = 1, .bad = 0, .unknown = 24 * 60 - 1}));
  EXPECT_EQ(states_->StateAt(Tracked(metro_), clock_.SystemNow()), PathState::kStale);
  EXPECT_FALSE(Tracked(metro_).windows[2].HasData());
  EXPECT_TRUE(Tracked(metro_).minutes.minutes().empty());  // trimmed
}

TEST_F(PathStatesTest, AThroughputPathIsJudgedOnItsHourlyTestAndStaysFreshForAnHour) {
  const PathKey circuit = Path("xining", "shanghai", Method::kThroughput);
  clock_.Advance(10s);
  ASSERT_TRUE(states_->ApplyThroughput(circuit, t0_ + 10s, Bandwidth{80'000'000}));
  At(30min);
  const TrackedPath& tracked = Tracked(circuit);
  EXPECT_EQ(tracked.budget.totals().good, 29);  // every minute judged on the 1 h window
  EXPECT_EQ(states_->StateAt(tracked, clock_.SystemNow()), PathState::kOk);
  ASSERT_TRUE(states_->ApplyThroughput(circuit, t0_ + 29min + 30s, Bandwidth{40'000'000}));
  At(32min);  // 00:29 and 00:30 closed: the 1 h window's lowest test is now 40 Mbps
  EXPECT_EQ(tracked.budget.totals().bad, 2);
  EXPECT_EQ(states_->StateAt(tracked, clock_.SystemNow()), PathState::kBreach);  // opens after 2
  // Without a new test the hour runs out: minutes turn unknown, which close no breach; the path
  // is fresh until its test is an hour and two minutes old, then stale.
  At(29min + 30s + 1h + 2min);
  EXPECT_EQ(states_->StateAt(tracked, clock_.SystemNow()), PathState::kBreach);
  EXPECT_EQ(tracked.judgement.verdict, Verdict::kUnknown);
  At(29min + 30s + 1h + 2min + 1s);
  EXPECT_EQ(states_->StateAt(tracked, clock_.SystemNow()), PathState::kStale);
}

TEST_F(PathStatesTest, RebuildFromStoredMinutesGivesTheStateOfTheLiveRun) {
  // Live: 10 good minutes, then 4 bad ones (a breach opens), beijing good throughout.
  const PathKey beijing = Path("xining", "beijing");
  for (int m = 0; m < 14; ++m) {
    FillMinute(metro_, t0_ + m * 1min, m < 10 ? 500us : 3ms);
    FillMinute(beijing, t0_ + m * 1min, 11ms);
    At((m + 1) * 1min + 20s);
  }
  At(14min + 30s);
  ASSERT_NE(Tracked(metro_).breaches.open(), nullptr);

  FakeClock restarted_clock;
  restarted_clock.Advance(clock_.SystemNow() - restarted_clock.SystemNow());
  auto rebuilt = PathStates::Create(config_, restarted_clock, PathStatesOptions{});
  ASSERT_TRUE(rebuilt);
  // The store returns minutes in its own order, and one path the config no longer has.
  std::vector<MinuteRecord> stored(records_.rbegin(), records_.rend());
  stored.push_back(MinuteRecord{Path("xining", "lhasa"), t0_, SummaryAt(t0_, 1ms, 1), {}});
  auto report = (*rebuilt)->Rebuild(stored);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->applied, records_.size());
  EXPECT_EQ(report->skipped_unknown_path, 1u);
  for (const TrackedPath& live : states_->paths()) {
    const TrackedPath& again = *(*rebuilt)->Find(live.key);
    EXPECT_EQ(again.budget.totals(), live.budget.totals()) << live.key.ToString();
    EXPECT_EQ(again.windows, live.windows) << live.key.ToString();
    EXPECT_EQ(again.judgement.verdict, live.judgement.verdict);
    EXPECT_EQ(again.last_data_end, live.last_data_end);
    ASSERT_EQ(again.breaches.open() != nullptr, live.breaches.open() != nullptr);
    if (live.breaches.open() != nullptr) {
      EXPECT_EQ(*again.breaches.open(), *live.breaches.open());
    }
  }
  EXPECT_EQ((*rebuilt)->next_minute_to_close(), states_->next_minute_to_close());
  // A second rebuild, or one after live data, is refused.
  auto twice = (*rebuilt)->Rebuild(stored);
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("before any data"), std::string::npos);
}

TEST_F(PathStatesTest, RebuildCarriesStoredThroughputResults) {
  // The store keeps a minute's lowest bandwidth-test result beside its summary.
  FakeClock restarted_clock;
  restarted_clock.Advance(10min);
  auto rebuilt = PathStates::Create(config_, restarted_clock, PathStatesOptions{});
  ASSERT_TRUE(rebuilt);
  const PathKey circuit = Path("xining", "shanghai", Method::kThroughput);
  stats::IntervalSummary test_interval;
  test_interval.start = t0_ + 2min + 5s;
  test_interval.duration = 5s;
  const std::vector<MinuteRecord> stored = {
      MinuteRecord{circuit, t0_ + 2min, test_interval, Bandwidth{40'000'000}}};
  auto report = (*rebuilt)->Rebuild(stored);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->applied, 1u);
  const TrackedPath& tracked = *(*rebuilt)->Find(circuit);
  // Judging starts with the first stored minute: 00:02 .. 00:08 (00:09 closes at 00:10:20), each
  // on the 1 h window, whose lowest test is 40 Mbps < 50 Mbps.
  EXPECT_EQ(tracked.budget.totals(), (MinuteCounts{.good = 0, .bad = 7, .unknown = 0}));
  EXPECT_EQ(tracked.windows[2].throughput, Bandwidth{40'000'000});
  EXPECT_EQ(tracked.last_data_end, t0_ + 2min + 10s);
  ASSERT_NE(tracked.breaches.open(), nullptr);
  EXPECT_EQ(tracked.breaches.open()->start, t0_ + 2min);
}

TEST(PathStatesCreateTest, RefusesWindowsThatAreNotWholeMinutes) {
  FakeClock clock;
  PathStatesOptions options;
  options.windows = {std::chrono::seconds(30)};
  auto states = PathStates::Create(testing::MakeTestConfig(), clock, options);
  ASSERT_FALSE(states);
  EXPECT_EQ(states.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(PathStatesTest, HistoryHoldsOnlyVerdictChangesAndMovedTrackers) {
  // Off by default: nothing collects.
  FillMinute(metro_, t0_, 500us);
  At(1min + 20s);
  EXPECT_TRUE(states_->TakeHistory().empty());

  PathStatesOptions options;
  options.history = PathStatesOptions::History::kOn;
  FakeClock clock;
  auto recording = PathStates::Create(config_, clock, options);
  ASSERT_TRUE(recording);
  for (int m = 0; m < 6; ++m) {
    const SystemTime minute = t0_ + m * 1min;
    clock.Advance(minute + 1min - clock.SystemNow());
    ASSERT_TRUE((*recording)->Apply(metro_, SummaryAt(minute, m == 3 ? 2ms : 500us, 60, 0, 1min)));
    clock.Advance(20s);
    (*recording)->Tick(clock.SystemNow());
  }
  const HistoryDelta delta = (*recording)->TakeHistory();
  EXPECT_EQ(delta.judged_through, t0_ + 6min);
  // metro: good, bad at 00:03, good at 00:04; the five silent paths: unknown once each.
  std::vector<VerdictChange> metro_changes;
  for (const auto& change : delta.verdict_changes) {
    if (change.path == metro_) metro_changes.push_back(change);
  }
  const std::vector<VerdictChange> expected = {{metro_, t0_, Verdict::kGood},
                                               {metro_, t0_ + 3min, Verdict::kBad},
                                               {metro_, t0_ + 4min, Verdict::kGood}};
  EXPECT_EQ(metro_changes, expected);
  EXPECT_EQ(delta.verdict_changes.size(), 3u + 5u);
  // The bad minute started a pending run, the good one ended it: two tracker updates.
  ASSERT_EQ(delta.trackers.size(), 2u);
  EXPECT_TRUE(delta.trackers[0].state.pending);
  EXPECT_FALSE(delta.trackers[1].state.pending);
  EXPECT_TRUE((*recording)->TakeHistory().empty());
  // Restoring is for a fresh state only.
  EXPECT_FALSE((*recording)->Restore(StoredHistory{}));
}

}  // namespace
}  // namespace linkmon::sla
