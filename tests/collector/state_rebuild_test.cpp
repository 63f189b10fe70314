#include "collector/state_rebuild.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "collector/api/breaches_endpoint.h"
#include "collector/history/history_store.h"
#include "collector/store/summary_store.h"
#include "tests/collector/api/api_request.h"
#include "tests/collector/sla/test_config.h"
#include "tests/collector/windows/test_minutes.h"
#include "tests/support/temp_dir.h"

namespace linkmon::collector {
namespace {

using namespace std::chrono_literals;
using testing::Path;

// A live collector on a fake clock, writing minutes and SLA history to real SQLite files as the
// daemon does, then restarted four hours later with the daemon's 2 h replay: what happened
// before the replay's reach must come back from the history store.
//   xining -> haidong: bad 00:10-00:14 (a breach opens and closes, 3 h 45 min before the
//                      restart), good otherwise
//   haidong -> xining: bad from 01:40 on (a breach open since 2 h 20 min before the restart)
//   xining -> beijing: good; the others have no data (unknown)
class StateRebuildTest : public ::testing::Test {
 protected:
  static constexpr int kMinutes = 240;

  void SetUp() override {
    auto states = sla::PathStates::Create(config_, clock_, Options());
    ASSERT_TRUE(states) << states.error().message;
    live_ = std::move(*states);
    auto store = store::SummaryStore::Open(
        store::StoreOptions{.path = file_, .durability = sqlite::Durability::kNormal});
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    auto history = history::HistoryStore::Open(history::HistoryStoreOptions{.path = file_});
    ASSERT_TRUE(history) << history.error().message;
    history_ = std::move(*history);
    for (int m = 0; m < kMinutes; ++m) LiveMinute(m);
  }

  sla::PathStatesOptions Options(std::size_t max_closed = 10'000) const {
    sla::PathStatesOptions options;
    options.history = sla::PathStatesOptions::History::kOn;
    options.max_closed_breaches = max_closed;
    return options;
  }

  // Minute m's data: stored (as ingest does) and applied live; then the minute closes and its
  // history is written (as the MinuteTicker does).
  void LiveMinute(int m) {
    const SystemTime minute = t0_ + m * 1min;
    clock_.Advance(minute + 1min - clock_.SystemNow());
    Feed(metro_, minute, m >= 10 && m < 14 ? 3ms : 500us, m);
    Feed(back_, minute, m >= 100 ? 3ms : 500us, m);
    Feed(beijing_, minute, 11ms, m);
    clock_.Advance(20s);
    live_->Tick(clock_.SystemNow());
    auto written = history_->Write(live_->TakeHistory());
    ASSERT_TRUE(written) << written.error().message;
  }

  void Feed(const PathKey& path, SystemTime minute, std::chrono::nanoseconds rtt, int m) {
    const auto summary = testing::SummaryAt(minute, rtt, 60, 0, 1min);
    ASSERT_TRUE(live_->Apply(path, summary));
    batch::Batch batch{.probe = path.source,
                       .probe_start = t0_,
                       .sequence = static_cast<std::uint64_t>(m * 10 + sequence_++ % 10),
                       .created = clock_.SystemNow(),
                       .summaries = {batch::PathSummary{path, summary, std::nullopt}}};
    auto applied = store_->ApplyBatch(batch, clock_.SystemNow());
    ASSERT_TRUE(applied) << applied.error().message;
  }

  // A collector started at the live one's present, rebuilt as the daemon does.
  std::unique_ptr<sla::PathStates> Restart(FakeClock& clock, std::size_t max_closed = 10'000) {
    clock.Advance(clock_.SystemNow() - clock.SystemNow());
    auto states = sla::PathStates::Create(config_, clock, Options(max_closed));
    EXPECT_TRUE(states);
    boost::asio::io_context io;
    std::optional<RebuildOutcome> outcome;
    StateRebuild rebuild(io, file_, **states,
                         RebuildRange{.replay_since = clock.SystemNow() - 2h,
                                      .verdicts_since = clock.SystemNow() - 24h * 30},
                         [&](RebuildOutcome done) { outcome = std::move(done); });
    rebuild.Start();
    io.run();
    EXPECT_TRUE(outcome && outcome->report)
        << (outcome && !outcome->report ? outcome->report.error().message
                                        : std::string("no outcome"));
    if (outcome) outcome_ = std::move(*outcome);
    return std::move(*states);
  }

  void ExpectSameState(const sla::PathStates& a, const sla::PathStates& b) {
    EXPECT_EQ(a.next_minute_to_close(), b.next_minute_to_close());
    for (const sla::TrackedPath& live : a.paths()) {
      SCOPED_TRACE(live.key.ToString());
      const sla::TrackedPath& again = *b.Find(live.key);
      const sla::BudgetStatus before = live.budget.Status();
      const sla::BudgetStatus after = again.budget.Status();
      EXPECT_EQ(after.in_period, before.in_period);
      EXPECT_EQ(after.remaining_ratio, before.remaining_ratio);
      EXPECT_EQ(after.burn_rate_1h, before.burn_rate_1h);
      EXPECT_EQ(after.burn_rate_6h, before.burn_rate_6h);
      EXPECT_EQ(again.budget.totals(), live.budget.totals());  // the /metrics counters
      EXPECT_EQ(again.windows, live.windows);
      EXPECT_EQ(again.judgement.verdict, live.judgement.verdict);
      EXPECT_EQ(again.breaches.State(), live.breaches.State());
    }
    const sla::BreachQuery all{t0_ - 1h, clock_.SystemNow() + 1h, std::nullopt, std::nullopt};
    EXPECT_EQ(b.BreachesBetween(all), a.BreachesBetween(all));
  }

  testing::TempDir dir_{"linkmon-rebuild-test"};
  std::filesystem::path file_ = dir_.path() / "collector.db";
  config::Config config_ = testing::MakeTestConfig();
  FakeClock clock_;
  SystemTime t0_ = testing::Epoch2026();
  std::unique_ptr<sla::PathStates> live_;
  std::unique_ptr<store::SummaryStore> store_;
  std::unique_ptr<history::HistoryStore> history_;
  RebuildOutcome outcome_{.report = sla::RebuildReport{}};
  int sequence_ = 0;
  const PathKey metro_ = Path("xining", "haidong");
  const PathKey back_ = Path("haidong", "xining");
  const PathKey beijing_ = Path("xining", "beijing");
};

TEST_F(StateRebuildTest, TheLiveRunsBreachesAreWhatTheTestNeeds) {
  const sla::BreachQuery all{t0_, clock_.SystemNow(), std::nullopt, std::nullopt};
  const auto breaches = live_->BreachesBetween(all);
  ASSERT_EQ(breaches.size(), 2u);
  EXPECT_EQ(breaches[0].path, metro_);
  EXPECT_EQ(breaches[0].end, t0_ + 14min);  // closed 3 h 45 min before the restart
  EXPECT_EQ(breaches[1].path, back_);
  EXPECT_EQ(breaches[1].start, t0_ + 100min);  // open since before the replay's reach
  EXPECT_FALSE(breaches[1].end);
}

TEST_F(StateRebuildTest, ARestartKeepsBudgetsCountersAndBreachesOlderThanTheReplay) {
  FakeClock clock;
  auto restarted = Restart(clock);
  EXPECT_GT(outcome_.verdict_changes_restored, 0u);
  EXPECT_EQ(outcome_.breaches_restored, 2u);  // the closed one and the open one
  ExpectSameState(*live_, *restarted);
  // Both go on alike: the same next minute gives the same state.
  const SystemTime minute = t0_ + kMinutes * 1min;
  clock_.Advance(minute + 1min + 20s - clock_.SystemNow());
  clock.Advance(minute + 1min + 20s - clock.SystemNow());
  for (auto* states : {live_.get(), restarted.get()}) {
    for (const PathKey& path : {metro_, back_, beijing_}) {
      ASSERT_TRUE(states->Apply(path, testing::SummaryAt(minute, 500us, 60, 0, 1min)));
    }
    states->Tick(clock_.SystemNow());
  }
  ExpectSameState(*live_, *restarted);
  // What the restarted one closed is stored as the live one's was.
  EXPECT_TRUE(history_->Write(restarted->TakeHistory()));
}

TEST_F(StateRebuildTest, WithoutTheHistoryTheReplayAloneLosesThem) {
  // The control: what a restart gave before the history store (the 2 h replay only).
  FakeClock clock;
  clock.Advance(clock_.SystemNow() - clock.SystemNow());
  auto states = sla::PathStates::Create(config_, clock, Options());
  ASSERT_TRUE(states);
  auto report = (*states)->RebuildInOrder([&](const sla::PathStates::RecordVisitor& visit) {
    return store_->ForEachMinuteSince(clock.SystemNow() - 2h, [&](const store::MinuteRecord& r) {
      visit(sla::MinuteRecord{r.path, r.minute, r.summary, r.throughput});
    });
  });
  ASSERT_TRUE(report);
  const sla::BreachQuery all{t0_, clock.SystemNow(), std::nullopt, std::nullopt};
  const auto breaches = (*states)->BreachesBetween(all);
  ASSERT_EQ(breaches.size(), 1u);              // the closed one is gone
  EXPECT_NE(breaches[0].start, t0_ + 100min);  // the open one restarted late
  EXPECT_NE((*states)->Find(metro_)->budget.totals(), live_->Find(metro_)->budget.totals());
}

TEST_F(StateRebuildTest, TheApiAnswersOldBreachesFromTheStore) {
  // No closed breach kept in memory: the closed one can only come from the store.
  FakeClock clock;
  auto restarted = Restart(clock, /*max_closed=*/0);
  const sla::BreachQuery all{t0_, clock.SystemNow(), std::nullopt, std::nullopt};
  ASSERT_EQ(restarted->BreachesBetween(all).size(), 1u);  // memory: the open one
  api::BreachesEndpoint endpoint(*restarted, history_.get());
  auto reply = testing::Call(endpoint, "/api/v1/breaches?from=2026-01-01T00:00:00Z");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  const auto body = reply.Json();
  ASSERT_EQ(body["breaches"].size(), 2u) << body.dump();
  EXPECT_EQ(body["breaches"][0]["id"], "xining->haidong/icmp@1767226200");
  EXPECT_EQ(body["breaches"][0]["end"], "2026-01-01T00:14:00Z");
  EXPECT_EQ(body["breaches"][0]["bad_minutes"], 4);
  EXPECT_EQ(body["breaches"][0]["thresholds_crossed"][0]["name"], "rtt_p99");
  EXPECT_EQ(body["breaches"][1]["end"], nullptr);
  EXPECT_EQ(body["truncated"], false);
  // A page of one: the cursor leads to the second.
  auto first = testing::Call(endpoint, "/api/v1/breaches?from=2026-01-01T00:00:00Z&limit=1");
  ASSERT_EQ(first.Json()["breaches"].size(), 1u);
  ASSERT_EQ(first.Json()["truncated"], true);
  const std::string cursor = first.Json()["next_cursor"];
  EXPECT_EQ(cursor, "1767226200_xining->haidong/icmp@1767226200");
  auto second =
      testing::Call(endpoint, "/api/v1/breaches?from=2026-01-01T00:00:00Z&limit=1&cursor=" +
                                  std::string("1767226200_xining-%3Ehaidong%2Ficmp%401767226200"));
  ASSERT_EQ(second.status, 200u) << second.body;
  ASSERT_EQ(second.Json()["breaches"].size(), 1u);
  EXPECT_EQ(second.Json()["breaches"][0]["src"], "haidong");
  EXPECT_EQ(second.Json()["truncated"], false);
  // CSV has both rows too.
  auto csv = testing::Call(endpoint, "/api/v1/breaches?from=2026-01-01T00:00:00Z&format=csv");
  EXPECT_NE(csv.body.find("xining->haidong/icmp@1767226200,xining,haidong,icmp,metro,"
                          "2026-01-01T00:10:00Z,2026-01-01T00:14:00Z,240,4,"),
            std::string::npos)
      << csv.body;
}

}  // namespace
}  // namespace linkmon::collector
