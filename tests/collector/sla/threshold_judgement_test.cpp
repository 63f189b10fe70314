#include "collector/sla/threshold_judgement.h"

#include <gtest/gtest.h>

#include "tests/collector/sla/test_config.h"

namespace linkmon::sla {
namespace {

using namespace std::chrono_literals;
using windows::WindowStats;

WindowStats Empty(std::chrono::nanoseconds window, int minutes_with_data = 0) {
  WindowStats stats;
  stats.window = window;
  stats.minutes_with_data = minutes_with_data;
  return stats;
}

// Windows 1m, 5m, 1h with the given 1m figures; the 5m window holds `loss_5m`.
std::vector<WindowStats> Windows(std::optional<std::chrono::nanoseconds> p50,
                                 std::optional<std::chrono::nanoseconds> p99,
                                 std::optional<std::chrono::nanoseconds> jitter,
                                 std::optional<double> loss_5m) {
  WindowStats one = Empty(1min, 1);
  one.counts.sent = 60;
  one.counts.received = p99 ? 60 : 0;
  one.rtt_p50 = p50;
  one.rtt_p95 = p99;
  one.rtt_p99 = p99;
  one.jitter = jitter;
  WindowStats five = Empty(5min, 5);
  if (loss_5m) five.loss = Ratio{*loss_5m};
  WindowStats hour = Empty(1h, 5);
  return {one, five, hour};
}

const config::SlaClass& Nationwide() {
  static const config::Config config = testing::MakeTestConfig();
  return *config.FindSlaClass(testing::Class("nationwide"));
}

const config::SlaClass& Circuit() {
  static const config::Config config = testing::MakeTestConfig();
  return *config.FindSlaClass(testing::Class("circuit"));
}

TEST(ThresholdJudgementTest, ValuesExactlyAtTheLimitMeetIt) {
  const Judgement judgement =
      JudgeWindows(Nationwide(), Method::kIcmp, Windows(12ms, 20ms, 2ms, 0.01));
  EXPECT_EQ(judgement.verdict, Verdict::kGood);
  ASSERT_EQ(judgement.thresholds.size(), 4u);
  EXPECT_EQ(judgement.thresholds[0].kind, ThresholdKind::kRttP50);
  EXPECT_EQ(judgement.thresholds[1].kind, ThresholdKind::kRttP99);
  EXPECT_EQ(judgement.thresholds[2].kind, ThresholdKind::kJitter);
  EXPECT_EQ(judgement.thresholds[3].kind, ThresholdKind::kLoss);
  for (const auto& result : judgement.thresholds) {
    EXPECT_EQ(result.outcome, ThresholdOutcome::kMet) << ThresholdKindName(result.kind);
    ASSERT_TRUE(result.margin);
    EXPECT_DOUBLE_EQ(*result.margin, 0.0);
  }
  EXPECT_EQ(judgement.thresholds[3].window, 5min);
}

TEST(ThresholdJudgementTest, OneNanosecondOverTheLimitViolatesIt) {
  const Judgement judgement =
      JudgeWindows(Nationwide(), Method::kIcmp, Windows(10ms, 20ms + 1ns, 1ms, 0.0));
  EXPECT_EQ(judgement.verdict, Verdict::kBad);
  EXPECT_EQ(judgement.thresholds[0].outcome, ThresholdOutcome::kMet);
  EXPECT_NEAR(*judgement.thresholds[0].margin, 0.002, 1e-12);  // 12 ms - 10 ms, in seconds
  EXPECT_EQ(judgement.thresholds[1].outcome, ThresholdOutcome::kViolated);
  EXPECT_LT(*judgement.thresholds[1].margin, 0.0);
  EXPECT_DOUBLE_EQ(*judgement.thresholds[1].value, 0.020000001);
  EXPECT_DOUBLE_EQ(*judgement.thresholds[3].margin, 0.01);  // loss: 1% - 0%
}

TEST(ThresholdJudgementTest, LossJustOverTheLimitViolates) {
  const Judgement judgement =
      JudgeWindows(Nationwide(), Method::kIcmp, Windows(10ms, 15ms, 1ms, 0.0101));
  EXPECT_EQ(judgement.verdict, Verdict::kBad);
  EXPECT_EQ(judgement.thresholds[3].outcome, ThresholdOutcome::kViolated);
  EXPECT_NEAR(*judgement.thresholds[3].margin, -0.0001, 1e-12);
}

TEST(ThresholdJudgementTest, WithoutDataNothingIsJudged) {
  const Judgement judgement = JudgeWindows(
      Nationwide(), Method::kIcmp,
      std::vector<WindowStats>{Empty(1min), Empty(5min), Empty(1h)});
  EXPECT_EQ(judgement.verdict, Verdict::kUnknown);
  for (const auto& result : judgement.thresholds) {
    EXPECT_EQ(result.outcome, ThresholdOutcome::kNoData);
    EXPECT_FALSE(result.value);
    EXPECT_FALSE(result.margin);
  }
}

TEST(ThresholdJudgementTest, ADeadPathViolatesRttThresholdsAlthoughItHasNoRtt) {
  auto windows = Windows(std::nullopt, std::nullopt, std::nullopt, std::nullopt);
  const Judgement judgement = JudgeWindows(Nationwide(), Method::kIcmp, windows);
  EXPECT_EQ(judgement.verdict, Verdict::kBad);
  EXPECT_EQ(judgement.thresholds[0].outcome, ThresholdOutcome::kViolated);
  EXPECT_FALSE(judgement.thresholds[0].value);
  EXPECT_EQ(judgement.thresholds[3].outcome, ThresholdOutcome::kNoData);
}

TEST(ThresholdJudgementTest, AThroughputPathIsJudgedOnBandwidthAloneOnItsWindow) {
  std::vector<WindowStats> windows{Empty(1min), Empty(5min), Empty(1h)};
  windows[2].minutes_with_data = 1;
  windows[2].throughput = Bandwidth{50'000'000};
  Judgement judgement = JudgeWindows(Circuit(), Method::kThroughput, windows);
  ASSERT_EQ(judgement.thresholds.size(), 1u);
  EXPECT_EQ(judgement.thresholds[0].kind, ThresholdKind::kMinBandwidth);
  EXPECT_EQ(judgement.thresholds[0].window, 1h);
  EXPECT_EQ(judgement.verdict, Verdict::kGood);  // exactly the minimum meets it
  windows[2].throughput = Bandwidth{49'999'999};
  judgement = JudgeWindows(Circuit(), Method::kThroughput, windows);
  EXPECT_EQ(judgement.verdict, Verdict::kBad);
  EXPECT_DOUBLE_EQ(*judgement.thresholds[0].margin, -1.0);
  // The ICMP path of the same class is judged on RTT alone.
  judgement = JudgeWindows(Circuit(), Method::kIcmp, Windows(5ms, 10ms, 1ms, 0.0));
  ASSERT_EQ(judgement.thresholds.size(), 1u);
  EXPECT_EQ(judgement.thresholds[0].kind, ThresholdKind::kRttP99);
}

TEST(ThresholdJudgementTest, NamesAndUnits) {
  EXPECT_EQ(ThresholdKindName(ThresholdKind::kRttP95), "rtt_p95");
  EXPECT_EQ(ThresholdKindName(ThresholdKind::kMinBandwidth), "min_bandwidth");
  EXPECT_EQ(ThresholdUnit(ThresholdKind::kLoss), "ratio");
  EXPECT_EQ(ThresholdUnit(ThresholdKind::kJitter), "seconds");
  EXPECT_EQ(ThresholdUnit(ThresholdKind::kMinBandwidth), "bits_per_second");
  EXPECT_EQ(VerdictName(Verdict::kUnknown), "unknown");
  EXPECT_EQ(ThresholdOutcomeName(ThresholdOutcome::kNoData), "no_data");
}

}  // namespace
}  // namespace linkmon::sla
