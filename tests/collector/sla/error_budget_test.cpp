#include "collector/sla/error_budget.h"

#include <gtest/gtest.h>

#include "tests/collector/windows/test_minutes.h"

namespace linkmon::sla {
namespace {

using namespace std::chrono_literals;
using testing::Epoch2026;

config::Slo ThirtyDays() { return config::Slo{Ratio{0.999}, 24h * 30}; }

TEST(ErrorBudgetTest, ThirtyDaysAtNinetyNinePointNineAllowFortyThreePointTwoBadMinutes) {
  ErrorBudget budget(ThirtyDays());
  const SystemTime t0 = Epoch2026();
  budget.Record(t0, Verdict::kGood, 1000);
  budget.Record(t0 + 1000min, Verdict::kBad, 10);
  budget.Record(t0 + 1010min, Verdict::kGood, 50);
  const BudgetStatus status = budget.Status();
  EXPECT_NEAR(status.allowed_bad_minutes, 43.2, 1e-9);
  EXPECT_EQ(status.in_period, (MinuteCounts{.good = 1050, .bad = 10, .unknown = 0}));
  // 1 - 10 / 43.2 = 0.768518...
  EXPECT_NEAR(status.remaining_ratio, 1.0 - 10.0 / 43.2, 1e-9);
  // Last hour: 10 bad of 60 judged -> (10/60) / 0.001 = 166.67.
  ASSERT_TRUE(status.burn_rate_1h);
  EXPECT_NEAR(*status.burn_rate_1h, (10.0 / 60.0) / 0.001, 1e-6);
  // Last 6 h: 10 bad of 360 -> 27.78.
  ASSERT_TRUE(status.burn_rate_6h);
  EXPECT_NEAR(*status.burn_rate_6h, (10.0 / 360.0) / 0.001, 1e-6);
}

TEST(ErrorBudgetTest, UnknownMinutesSpendNoBudgetAndCountInNoBurnRate) {
  ErrorBudget budget(ThirtyDays());
  const SystemTime t0 = Epoch2026();
  budget.Record(t0, Verdict::kGood, 27);
  budget.Record(t0 + 27min, Verdict::kBad, 3);
  budget.Record(t0 + 30min, Verdict::kUnknown, 30);
  const BudgetStatus status = budget.Status();
  EXPECT_EQ(status.in_period.unknown, 30);
  EXPECT_NEAR(*status.burn_rate_1h, (3.0 / 30.0) / 0.001, 1e-6);  // 100
  EXPECT_EQ(budget.totals(), (MinuteCounts{.good = 27, .bad = 3, .unknown = 30}));
}

TEST(ErrorBudgetTest, OverspentBudgetGoesNegativeAndNoJudgedMinutesGiveNoBurnRate) {
  ErrorBudget budget(config::Slo{Ratio{0.9}, 1h});  // 6 bad minutes allowed per hour
  const SystemTime t0 = Epoch2026();
  budget.Record(t0, Verdict::kBad, 9);
  EXPECT_NEAR(budget.Status().remaining_ratio, 1.0 - 9.0 / 6.0, 1e-9);  // -0.5
  ErrorBudget silent(ThirtyDays());
  silent.Record(t0, Verdict::kUnknown, 120);
  EXPECT_FALSE(silent.Status().burn_rate_1h);
  EXPECT_DOUBLE_EQ(silent.Status().remaining_ratio, 1.0);
  EXPECT_FALSE(ErrorBudget(ThirtyDays()).Status().burn_rate_1h);
}

TEST(ErrorBudgetTest, BadMinutesLeaveThePeriodAsItSlides) {
  ErrorBudget budget(config::Slo{Ratio{0.9}, 1h});
  const SystemTime t0 = Epoch2026();
  budget.Record(t0, Verdict::kBad, 3);            // 00:00 .. 00:02
  budget.Record(t0 + 3min, Verdict::kGood, 57);   // .. 00:59: period 00:00 .. 01:00
  EXPECT_EQ(budget.Status().in_period.bad, 3);
  budget.Record(t0 + 60min, Verdict::kGood, 2);   // period 00:02 .. 01:02
  EXPECT_EQ(budget.Status().in_period.bad, 1);
  EXPECT_EQ(budget.Status().in_period.good, 59);
  budget.Record(t0 + 62min, Verdict::kGood, 1);
  EXPECT_EQ(budget.Status().in_period.bad, 0);
  EXPECT_DOUBLE_EQ(budget.Status().remaining_ratio, 1.0);
  EXPECT_EQ(budget.totals().bad, 3);  // totals never forget
}

TEST(ErrorBudgetTest, AVerdictOnceGivenIsFinal) {
  ErrorBudget budget(ThirtyDays());
  const SystemTime t0 = Epoch2026();
  budget.Record(t0, Verdict::kGood, 5);
  budget.Record(t0 + 2min, Verdict::kBad, 1);  // already judged: ignored
  budget.Record(t0 + 4min, Verdict::kBad, 3);  // overlaps 00:04: only 00:05, 00:06 count
  EXPECT_EQ(budget.totals(), (MinuteCounts{.good = 5, .bad = 2, .unknown = 0}));
  EXPECT_EQ(budget.end(), t0 + 7min);
}

TEST(ErrorBudgetTest, CountsAndVisitsMinutesInARange) {
  ErrorBudget budget(ThirtyDays());
  const SystemTime t0 = Epoch2026();
  budget.Record(t0, Verdict::kGood, 3);
  budget.Record(t0 + 3min, Verdict::kBad, 2);
  budget.Record(t0 + 5min, Verdict::kUnknown, 1);
  EXPECT_EQ(budget.CountsBetween(t0 + 2min, t0 + 5min),
            (MinuteCounts{.good = 1, .bad = 2, .unknown = 0}));
  // A range starting inside a minute counts from the next whole minute.
  EXPECT_EQ(budget.CountsBetween(t0 + 30s, t0 + 6min),
            (MinuteCounts{.good = 2, .bad = 2, .unknown = 1}));
  std::vector<std::pair<SystemTime, Verdict>> seen;
  budget.ForEachMinute(t0 + 2min, t0 + 6min,
                       [&](SystemTime minute, Verdict verdict) { seen.emplace_back(minute, verdict); });
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0], std::make_pair(t0 + 2min, Verdict::kGood));
  EXPECT_EQ(seen[1], std::make_pair(t0 + 3min, Verdict::kBad));
  EXPECT_EQ(seen[3], std::make_pair(t0 + 5min, Verdict::kUnknown));
}

}  // namespace
}  // namespace linkmon::sla
