#include "collector/sla/breach_tracker.h"

#include <gtest/gtest.h>

#include "tests/collector/sla/test_config.h"
#include "tests/collector/windows/test_minutes.h"

namespace linkmon::sla {
namespace {

using namespace std::chrono_literals;
using testing::Epoch2026;

Judgement Good() {
  return Judgement{Verdict::kGood,
                   {ThresholdResult{ThresholdKind::kRttP99, 1min, 0.020, 0.015,
                                    ThresholdOutcome::kMet, 0.005}}};
}

// A bad minute with p99 of `p99` seconds and, when given, loss of `loss`.
Judgement Bad(double p99, std::optional<double> loss = std::nullopt) {
  Judgement judgement{Verdict::kBad,
                      {ThresholdResult{ThresholdKind::kRttP99, 1min, 0.020, p99,
                                       ThresholdOutcome::kViolated, 0.020 - p99}}};
  if (loss) {
    judgement.thresholds.push_back(ThresholdResult{ThresholdKind::kLoss, 5min, 0.01, *loss,
                                                   ThresholdOutcome::kViolated, 0.01 - *loss});
  }
  return judgement;
}

Judgement Unknown() { return Judgement{}; }

class BreachTrackerTest : public ::testing::Test {
 protected:
  BreachTracker::Change Feed(const Judgement& judgement) {
    const SystemTime at = minute_;
    minute_ += 1min;
    closed_.reset();
    return tracker_.OnMinute(at, judgement, &closed_);
  }

  SystemTime t0_ = Epoch2026();
  SystemTime minute_ = t0_;
  BreachTracker tracker_{testing::Path("xining", "shanghai"), testing::Class("nationwide"),
                         config::BreachHysteresis{3, 5}};
  std::optional<BreachEvent> closed_;
};

TEST_F(BreachTrackerTest, OpensAfterThreeConsecutiveBadMinutesFromTheFirstOfThem) {
  EXPECT_EQ(Feed(Good()), BreachTracker::Change::kNone);
  EXPECT_EQ(Feed(Bad(0.021)), BreachTracker::Change::kNone);  // 00:01
  EXPECT_EQ(Feed(Bad(0.025)), BreachTracker::Change::kNone);
  EXPECT_EQ(tracker_.open(), nullptr);
  EXPECT_EQ(Feed(Bad(0.022, 0.05)), BreachTracker::Change::kOpened);
  const BreachEvent* open = tracker_.open();
  ASSERT_NE(open, nullptr);
  EXPECT_EQ(open->start, t0_ + 1min);
  EXPECT_FALSE(open->end);
  EXPECT_EQ(open->bad_minutes, 3);
  EXPECT_EQ(open->id, "xining->shanghai/icmp@" + std::to_string(1767225600 + 60));
  ASSERT_EQ(open->crossed.size(), 2u);
  EXPECT_EQ(open->crossed[0].kind, ThresholdKind::kRttP99);
  EXPECT_DOUBLE_EQ(*open->crossed[0].worst_value, 0.025);
  EXPECT_EQ(open->crossed[0].violated_minutes, 3);
  EXPECT_EQ(open->crossed[1].kind, ThresholdKind::kLoss);
  EXPECT_DOUBLE_EQ(*open->crossed[1].worst_value, 0.05);
  EXPECT_EQ(open->crossed[1].violated_minutes, 1);
}

TEST_F(BreachTrackerTest, TwoBadMinutesOrABadRunBrokenByUnknownOpenNothing) {
  Feed(Bad(0.03));
  Feed(Bad(0.03));
  Feed(Good());
  Feed(Bad(0.03));
  Feed(Bad(0.03));
  Feed(Unknown());
  EXPECT_EQ(Feed(Bad(0.03)), BreachTracker::Change::kNone);
  EXPECT_EQ(tracker_.open(), nullptr);
  Feed(Bad(0.03));
  EXPECT_EQ(Feed(Bad(0.03)), BreachTracker::Change::kOpened);
  EXPECT_EQ(tracker_.open()->start, t0_ + 6min);
}

TEST_F(BreachTrackerTest, ClosesAfterFiveConsecutiveGoodMinutesEndingWithTheLastBadOne) {
  for (int i = 0; i < 3; ++i) Feed(Bad(0.03));  // 00:00 .. 00:02, opens
  for (int i = 0; i < 4; ++i) EXPECT_EQ(Feed(Good()), BreachTracker::Change::kNone);
  EXPECT_EQ(Feed(Bad(0.04)), BreachTracker::Change::kNone);  // 00:07 resets the good run
  for (int i = 0; i < 4; ++i) EXPECT_EQ(Feed(Good()), BreachTracker::Change::kNone);
  Feed(Unknown());  // 00:12: silence neither closes nor counts towards closing
  for (int i = 0; i < 4; ++i) EXPECT_EQ(Feed(Good()), BreachTracker::Change::kNone);
  ASSERT_NE(tracker_.open(), nullptr);
  EXPECT_EQ(Feed(Good()), BreachTracker::Change::kClosed);  // 00:17, the fifth in a row
  EXPECT_EQ(tracker_.open(), nullptr);
  ASSERT_TRUE(closed_);
  EXPECT_EQ(closed_->start, t0_);
  EXPECT_EQ(closed_->end, t0_ + 8min);  // end of 00:07, the last bad minute
  EXPECT_EQ(closed_->bad_minutes, 4);
  EXPECT_DOUBLE_EQ(*closed_->crossed[0].worst_value, 0.04);
  // A new bad run starts a new breach.
  for (int i = 0; i < 3; ++i) Feed(Bad(0.03));
  ASSERT_NE(tracker_.open(), nullptr);
  EXPECT_EQ(tracker_.open()->start, t0_ + 18min);
  EXPECT_EQ(tracker_.open()->bad_minutes, 3);
}

TEST_F(BreachTrackerTest, ADeadPathKeepsNoWorstValueButCountsTheViolation) {
  Judgement dead{Verdict::kBad,
                 {ThresholdResult{ThresholdKind::kRttP99, 1min, 0.020, std::nullopt,
                                  ThresholdOutcome::kViolated, std::nullopt}}};
  Feed(dead);
  Feed(dead);
  Feed(Bad(0.05));
  ASSERT_NE(tracker_.open(), nullptr);
  EXPECT_DOUBLE_EQ(*tracker_.open()->crossed[0].worst_value, 0.05);
  EXPECT_EQ(tracker_.open()->crossed[0].violated_minutes, 3);
}

TEST_F(BreachTrackerTest, ItsStateRestoredIntoAnotherTrackerGoesOnAlike) {
  // Good minutes of a quiet path change nothing to store.
  Feed(Good());
  Feed(Good());
  EXPECT_FALSE(tracker_.TakeChanged());
  Feed(Bad(0.030));
  EXPECT_TRUE(tracker_.TakeChanged());
  EXPECT_FALSE(tracker_.TakeChanged());  // once
  Feed(Bad(0.040, 0.05));
  Feed(Bad(0.035));  // opens
  Feed(Good());
  Feed(Good());
  ASSERT_NE(tracker_.open(), nullptr);
  const BreachTrackerState state = tracker_.State();
  EXPECT_EQ(state.good_run, 2);
  EXPECT_EQ(state.last_bad_end, t0_ + 5min);
  EXPECT_FALSE(state.pending);

  BreachTracker restored(testing::Path("xining", "shanghai"), testing::Class("nationwide"),
                         config::BreachHysteresis{3, 5});
  restored.Restore(state);
  EXPECT_EQ(restored.State(), state);
  EXPECT_FALSE(restored.TakeChanged());  // as stored
  // Three more good minutes close both, with the same event.
  std::optional<BreachEvent> closed_restored;
  for (int i = 0; i < 3; ++i) {
    const SystemTime at = minute_;
    Feed(Good());
    restored.OnMinute(at, Good(), &closed_restored);
  }
  ASSERT_TRUE(closed_);
  ASSERT_TRUE(closed_restored);
  EXPECT_EQ(*closed_restored, *closed_);
  EXPECT_EQ(closed_->end, t0_ + 5min);
  EXPECT_TRUE(restored.TakeChanged());
}

TEST_F(BreachTrackerTest, APendingRunRestoredKeepsCountingTowardsOpening) {
  Feed(Bad(0.030));
  Feed(Bad(0.031));
  const BreachTrackerState state = tracker_.State();
  ASSERT_TRUE(state.pending);
  EXPECT_EQ(state.pending->bad_minutes, 2);
  BreachTracker restored(testing::Path("xining", "shanghai"), testing::Class("nationwide"),
                         config::BreachHysteresis{3, 5});
  restored.Restore(state);
  EXPECT_EQ(restored.OnMinute(minute_, Bad(0.032)), BreachTracker::Change::kOpened);
  ASSERT_NE(restored.open(), nullptr);
  EXPECT_EQ(restored.open()->start, t0_);
  EXPECT_EQ(restored.open()->bad_minutes, 3);
}

}  // namespace
}  // namespace linkmon::sla
