// PathStates::Reconfigure (a SIGHUP reload) and what a restart gives back of breaches, on a fake
// clock.

#include <gtest/gtest.h>

#include "collector/sla/path_states.h"
#include "tests/collector/sla/test_config.h"
#include "tests/collector/windows/test_minutes.h"

namespace linkmon::sla {
namespace {

using namespace std::chrono_literals;
using testing::Epoch2026;
using testing::Path;
using testing::SummaryAt;

class PathStatesReconfigureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto states = PathStates::Create(config_, clock_, PathStatesOptions{});
    ASSERT_TRUE(states) << states.error().message;
    states_ = std::move(*states);
  }

  // Six 10 s summaries of `rtt` filling the minute starting at `minute`, each applied when its
  // interval ends; kept as the store would keep them.
  void FillMinute(const PathKey& path, SystemTime minute, std::chrono::nanoseconds rtt) {
    for (int i = 0; i < 6; ++i) {
      const auto summary = SummaryAt(minute + i * 10s, rtt, 10);
      const SystemTime arrival = summary.start + summary.duration;
      if (arrival > clock_.SystemNow()) clock_.Advance(arrival - clock_.SystemNow());
      auto applied = states_->Apply(path, summary);
      ASSERT_TRUE(applied) << applied.error().message;
      records_.push_back(MinuteRecord{path, minute, summary, std::nullopt});
    }
  }

  void At(std::chrono::nanoseconds offset) {
    clock_.Advance(t0_ + offset - clock_.SystemNow());
    states_->Tick(clock_.SystemNow());
  }

  const TrackedPath& Tracked(const PathKey& path) { return *states_->Find(path); }

  config::SlaClass& Class(config::Config& config, const std::string& name) {
    for (auto& sla_class : config.sla_classes) {
      if (sla_class.name.str() == name) return sla_class;
    }
    throw std::logic_error("no class " + name);
  }

  config::Config config_ = testing::MakeTestConfig();
  FakeClock clock_;
  SystemTime t0_ = Epoch2026();
  std::unique_ptr<PathStates> states_;
  std::vector<MinuteRecord> records_;
  const PathKey metro_ = Path("xining", "haidong");
};

TEST_F(PathStatesReconfigureTest, KeptPathsKeepTheirStateAddedOnesStartEmptyDroppedOnesGo) {
  for (int m = 0; m < 3; ++m) FillMinute(metro_, t0_ + m * 1min, 2ms);  // over metro's 1 ms
  At(3min + 20s);
  ASSERT_NE(Tracked(metro_).breaches.open(), nullptr);
  const auto windows = Tracked(metro_).windows;
  const auto totals = Tracked(metro_).budget.totals();
  const BreachEvent open = *Tracked(metro_).breaches.open();
  const auto version = states_->version();

  // The new config drops xining->shanghai (both methods) and adds haidong->beijing.
  config::Config next = config_;
  next.probes[0].targets.pop_back();
  config::Target beijing = next.probes[0].targets[1];
  beijing.methods = {Method::kIcmp};
  next.probes[1].targets.push_back(beijing);
  auto report = states_->Reconfigure(next);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->kept, 4u);
  EXPECT_EQ(report->added, 1u);
  EXPECT_EQ(report->removed, 2u);
  EXPECT_EQ(report->reclassified, 0u);
  EXPECT_EQ(report->open_breaches_dropped, 0u);
  EXPECT_GT(states_->version(), version);  // API caches refresh

  ASSERT_EQ(states_->paths().size(), 5u);
  EXPECT_EQ(states_->Find(Path("xining", "shanghai")), nullptr);
  EXPECT_EQ(states_->Find(Path("xining", "shanghai", Method::kThroughput)), nullptr);
  EXPECT_FALSE(states_->Apply(Path("xining", "shanghai"), SummaryAt(t0_ + 3min, 1ms, 10)));
  EXPECT_EQ(Tracked(metro_).windows, windows);
  EXPECT_EQ(Tracked(metro_).budget.totals(), totals);
  ASSERT_NE(Tracked(metro_).breaches.open(), nullptr);
  EXPECT_EQ(*Tracked(metro_).breaches.open(), open);
  EXPECT_EQ(states_->PathsFrom(testing::Site("haidong")).size(), 2u);
  // Sorted and indexed again: every path is found where it is.
  for (const TrackedPath& path : states_->paths()) EXPECT_EQ(states_->Find(path.key), &path);

  // The added path is judged from the next minute to close; the kept one goes on where it was.
  const PathKey added = Path("haidong", "beijing");
  EXPECT_EQ(states_->StateAt(Tracked(added), clock_.SystemNow()), PathState::kUnknown);
  for (int m = 3; m < 8; ++m) {
    FillMinute(metro_, t0_ + m * 1min, 400us);
    FillMinute(added, t0_ + m * 1min, 10ms);
  }
  At(8min + 20s);
  EXPECT_EQ(Tracked(metro_).breaches.open(), nullptr);  // closed after five good minutes
  EXPECT_EQ(Tracked(metro_).budget.totals(), (MinuteCounts{.good = 5, .bad = 3, .unknown = 0}));
  EXPECT_EQ(Tracked(added).budget.totals(), (MinuteCounts{.good = 5, .bad = 0, .unknown = 0}));
  EXPECT_EQ(states_->StateAt(Tracked(added), clock_.SystemNow()), PathState::kOk);
  EXPECT_EQ(states_->BreachesBetween({t0_, t0_ + 1h, std::nullopt, std::nullopt}).size(), 1u);
}

TEST_F(PathStatesReconfigureTest, NewThresholdsAndHysteresisJudgeOnlyTheMinutesStillToClose) {
  FillMinute(metro_, t0_, 2ms);
  At(1min + 20s);
  EXPECT_EQ(Tracked(metro_).judgement.verdict, Verdict::kBad);

  config::Config looser = config_;
  Class(looser, "metro").rtt_p99 = config::Threshold<std::chrono::nanoseconds>{5ms, 1min};
  Class(looser, "metro").breach = config::BreachHysteresis{1, 1};
  auto report = states_->Reconfigure(looser);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->reclassified, 2u);  // both metro paths
  EXPECT_EQ(Tracked(metro_).sla_class.rtt_p99->limit, 5ms);

  FillMinute(metro_, t0_ + 1min, 2ms);  // good under the new 5 ms
  At(2min + 20s);
  EXPECT_EQ(Tracked(metro_).budget.totals(), (MinuteCounts{.good = 1, .bad = 1, .unknown = 0}));
  FillMinute(metro_, t0_ + 2min, 8ms);  // one bad minute opens a breach now
  At(3min + 20s);
  ASSERT_NE(Tracked(metro_).breaches.open(), nullptr);
  EXPECT_EQ(Tracked(metro_).breaches.open()->start, t0_ + 2min);
}

TEST_F(PathStatesReconfigureTest, ADanglingClassIsRefusedAndNothingChanges) {
  FillMinute(metro_, t0_, 500us);
  At(1min + 20s);
  config::Config broken = config_;
  broken.probes[0].targets.pop_back();
  broken.probes[0].targets[0].sla_class = testing::Class("gold");
  const auto version = states_->version();
  auto report = states_->Reconfigure(broken);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(report.error().message.find("unknown SLA class gold"), std::string::npos);
  EXPECT_EQ(states_->paths().size(), 6u);
  EXPECT_EQ(states_->version(), version);
  EXPECT_EQ(Tracked(metro_).budget.totals().good, 1);
}

TEST_F(PathStatesReconfigureTest, ARestartGivesBackClosedAndOpenBreachesAsTheLiveRunHadThem) {
  // metro: a breach opens (3 bad) and closes (5 good); then another opens and stays open.
  for (int m = 0; m < 14; ++m) {
    const bool bad = m < 3 || m >= 8;
    FillMinute(metro_, t0_ + m * 1min, bad ? 2ms : 500us);
    At((m + 1) * 1min + 20s);
  }
  const BreachQuery all{t0_, t0_ + 1h, std::nullopt, std::nullopt};
  const auto live = states_->BreachesBetween(all);
  ASSERT_EQ(live.size(), 2u);
  ASSERT_TRUE(live[0].end.has_value());
  EXPECT_FALSE(live[1].end.has_value());

  FakeClock restarted_clock;
  restarted_clock.Advance(clock_.SystemNow() + 40s - restarted_clock.SystemNow());
  auto rebuilt = PathStates::Create(config_, restarted_clock, PathStatesOptions{});
  ASSERT_TRUE(rebuilt);
  auto report = (*rebuilt)->RebuildInOrder([&](const PathStates::RecordVisitor& visit) -> Status {
    for (const MinuteRecord& record : records_) visit(record);
    return {};
  });
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->applied, records_.size());
  EXPECT_EQ((*rebuilt)->BreachesBetween(all), live);
}

TEST_F(PathStatesReconfigureTest, AFailingRecordSourceFailsTheRebuild) {
  auto rebuilt = PathStates::Create(config_, clock_, PathStatesOptions{});
  ASSERT_TRUE(rebuilt);
  auto report = (*rebuilt)->RebuildInOrder([](const PathStates::RecordVisitor&) -> Status {
    return MakeError(ErrorCode::kCorrupt, "store: damaged histogram");
  });
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().message, "store: damaged histogram");
}

TEST_F(PathStatesReconfigureTest, StreamedVerdictsRestoreAsHeldOnesAndAFailingStreamFails) {
  // metro: good 00:00, bad 00:03 .. 00:05, good again; judged through 00:10.
  StoredHistory stored{.judged_through = t0_ + 10min, .verdicts = {}, .trackers = {}, .closed = {}};
  const std::vector<VerdictChange> changes = {{metro_, t0_, Verdict::kGood},
                                              {metro_, t0_ + 3min, Verdict::kBad},
                                              {metro_, t0_ + 6min, Verdict::kGood}};
  auto streamed = PathStates::Create(config_, clock_, PathStatesOptions{});
  ASSERT_TRUE(streamed);
  ASSERT_TRUE((*streamed)->Restore(stored, [&](const PathStates::VerdictVisitor& visit) -> Status {
    for (const VerdictChange& change : changes) visit(change);
    return {};
  }));
  stored.verdicts = changes;
  auto held = PathStates::Create(config_, clock_, PathStatesOptions{});
  ASSERT_TRUE(held);
  ASSERT_TRUE((*held)->Restore(stored));
  const MinuteCounts expected{.good = 7, .bad = 3, .unknown = 0};
  EXPECT_EQ((*held)->Find(metro_)->budget.totals(), expected);
  EXPECT_EQ((*streamed)->Find(metro_)->budget.totals(), expected);

  auto failing = PathStates::Create(config_, clock_, PathStatesOptions{});
  ASSERT_TRUE(failing);
  auto restored = (*failing)->Restore(stored, [](const PathStates::VerdictVisitor&) -> Status {
    return MakeError(ErrorCode::kCorrupt, "history: invalid verdict change row");
  });
  ASSERT_FALSE(restored);
  EXPECT_EQ(restored.error().message, "history: invalid verdict change row");
}

}  // namespace
}  // namespace linkmon::sla
