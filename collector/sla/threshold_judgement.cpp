#include "collector/sla/threshold_judgement.h"

#include <chrono>

namespace linkmon::sla {

namespace {

using std::chrono::nanoseconds;

double Seconds(nanoseconds value) { return std::chrono::duration<double>(value).count(); }

const windows::WindowStats* FindWindow(std::span<const windows::WindowStats> windows,
                                       nanoseconds window) {
  for (const auto& stats : windows) {
    if (stats.window == window) return &stats;
  }
  return nullptr;
}

ThresholdResult Judge(ThresholdKind kind, nanoseconds window, double limit,
                      std::optional<double> value, bool dead) {
  ThresholdResult result{.kind = kind,
                         .window = window,
                         .limit = limit,
                         .value = value,
                         .outcome = ThresholdOutcome::kNoData,
                         .margin = std::nullopt};
  if (value) {
    const double margin = IsLowerBound(kind) ? *value - limit : limit - *value;
    result.margin = margin;
    result.outcome = margin >= 0 ? ThresholdOutcome::kMet : ThresholdOutcome::kViolated;
  } else if (dead) {
    result.outcome = ThresholdOutcome::kViolated;
  }
  return result;
}

// An RTT-like threshold (RTT quantile or jitter) on its window.
void JudgeDelay(std::vector<ThresholdResult>& results, ThresholdKind kind,
                const std::optional<config::Threshold<nanoseconds>>& threshold,
                std::span<const windows::WindowStats> windows,
                std::optional<nanoseconds> windows::WindowStats::*field) {
  if (!threshold) return;
  const windows::WindowStats* stats = FindWindow(windows, threshold->window);
  std::optional<double> value;
  bool dead = false;
  if (stats != nullptr) {
    if (auto v = stats->*field) value = Seconds(*v);
    dead = stats->counts.sent > 0 && stats->counts.received == 0;
  }
  results.push_back(Judge(kind, threshold->window, Seconds(threshold->limit), value, dead));
}

}  // namespace

std::string_view ThresholdKindName(ThresholdKind kind) {
  switch (kind) {
    case ThresholdKind::kRttP50: return "rtt_p50";
    case ThresholdKind::kRttP95: return "rtt_p95";
    case ThresholdKind::kRttP99: return "rtt_p99";
    case ThresholdKind::kJitter: return "jitter";
    case ThresholdKind::kLoss: return "loss";
    case ThresholdKind::kMinBandwidth: return "min_bandwidth";
  }
  return "unknown";
}

std::optional<ThresholdKind> ParseThresholdKind(std::string_view name) {
  for (ThresholdKind kind :
       {ThresholdKind::kRttP50, ThresholdKind::kRttP95, ThresholdKind::kRttP99,
        ThresholdKind::kJitter, ThresholdKind::kLoss, ThresholdKind::kMinBandwidth}) {
    if (ThresholdKindName(kind) == name) return kind;
  }
  return std::nullopt;
}

std::string_view ThresholdUnit(ThresholdKind kind) {
  switch (kind) {
    case ThresholdKind::kLoss: return "ratio";
    case ThresholdKind::kMinBandwidth: return "bits_per_second";
    default: return "seconds";
  }
}

bool IsLowerBound(ThresholdKind kind) { return kind == ThresholdKind::kMinBandwidth; }

std::string_view ThresholdOutcomeName(ThresholdOutcome outcome) {
  switch (outcome) {
    case ThresholdOutcome::kMet: return "met";
    case ThresholdOutcome::kViolated: return "violated";
    case ThresholdOutcome::kNoData: return "no_data";
  }
  return "unknown";
}

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kGood: return "good";
    case Verdict::kBad: return "bad";
    case Verdict::kUnknown: return "unknown";
  }
  return "unknown";
}

Judgement JudgeWindows(const config::SlaClass& sla_class, Method method,
                       std::span<const windows::WindowStats> windows) {
  Judgement judgement;
  auto& results = judgement.thresholds;
  if (method == Method::kThroughput) {
    if (const auto& threshold = sla_class.min_bandwidth) {
      const windows::WindowStats* stats = FindWindow(windows, threshold->window);
      std::optional<double> value;
      if (stats != nullptr && stats->throughput) {
        value = static_cast<double>(stats->throughput->bits_per_second);
      }
      results.push_back(Judge(ThresholdKind::kMinBandwidth, threshold->window,
                              static_cast<double>(threshold->limit.bits_per_second), value,
                              /*dead=*/false));
    }
  } else {
    using windows::WindowStats;
    JudgeDelay(results, ThresholdKind::kRttP50, sla_class.rtt_p50, windows, &WindowStats::rtt_p50);
    JudgeDelay(results, ThresholdKind::kRttP95, sla_class.rtt_p95, windows, &WindowStats::rtt_p95);
    JudgeDelay(results, ThresholdKind::kRttP99, sla_class.rtt_p99, windows, &WindowStats::rtt_p99);
    JudgeDelay(results, ThresholdKind::kJitter, sla_class.jitter, windows, &WindowStats::jitter);
    if (const auto& threshold = sla_class.loss) {
      const WindowStats* stats = FindWindow(windows, threshold->window);
      std::optional<double> value;
      if (stats != nullptr && stats->loss) value = stats->loss->value;
      results.push_back(Judge(ThresholdKind::kLoss, threshold->window, threshold->limit.value,
                              value, /*dead=*/false));
    }
  }
  bool any_judged = false;
  bool any_violated = false;
  for (const auto& result : results) {
    any_judged |= result.outcome != ThresholdOutcome::kNoData;
    any_violated |= result.outcome == ThresholdOutcome::kViolated;
  }
  judgement.verdict = any_violated ? Verdict::kBad
                      : any_judged ? Verdict::kGood
                                   : Verdict::kUnknown;
  return judgement;
}

}  // namespace linkmon::sla
