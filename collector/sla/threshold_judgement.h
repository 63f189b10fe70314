#pragma once

// Judges a path's windows against an SLA class: each threshold on its own window.
//
// Which thresholds apply depends on what the path's method measures: a bandwidth test
// (Method::kThroughput) measures only throughput, so only `min_bandwidth` applies to it; every
// other method measures RTT, loss and jitter, so everything but `min_bandwidth` applies.
//
// A threshold is
// - met when its value is within the limit, the limit included: rtt_p99 of exactly 20 ms meets
//   "rtt_p99: 20ms", throughput of exactly 50 Mbps meets "min_bandwidth: 50Mbps";
// - violated when beyond it; an RTT or jitter threshold is also violated when probes were sent in
//   its window and none came back (a dead path has no RTT, and it is not a good one);
// - without data when its window holds nothing to judge.
//
// Margin: how far the value is inside the limit, in the threshold's unit (seconds, ratio, bits per
// second): limit - value for upper bounds, value - limit for min_bandwidth. Negative when violated;
// absent without a value.

#include <chrono>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "collector/windows/window_stats.h"
#include "common/ids.h"
#include "config/config.h"

namespace linkmon::sla {

enum class ThresholdKind { kRttP50, kRttP95, kRttP99, kJitter, kLoss, kMinBandwidth };

// "rtt_p50", "rtt_p95", "rtt_p99", "jitter", "loss", "min_bandwidth": the config keys.
std::string_view ThresholdKindName(ThresholdKind kind);
std::optional<ThresholdKind> ParseThresholdKind(std::string_view name);  // nullopt when unknown
// The unit of limits, values and margins: "seconds", "ratio" or "bits_per_second".
std::string_view ThresholdUnit(ThresholdKind kind);
// True for min_bandwidth, the one lower bound.
bool IsLowerBound(ThresholdKind kind);

enum class ThresholdOutcome { kMet, kViolated, kNoData };
std::string_view ThresholdOutcomeName(ThresholdOutcome outcome);  // "met", "violated", "no_data"

struct ThresholdResult {
  ThresholdKind kind;
  std::chrono::nanoseconds window;
  double limit;                 // in ThresholdUnit(kind)
  std::optional<double> value;  // in ThresholdUnit(kind); absent without data
  ThresholdOutcome outcome;
  std::optional<double> margin;  // see above

  bool operator==(const ThresholdResult&) const = default;
};

// The verdict on a set of threshold results: good when at least one threshold was judged and none
// is violated; bad when any is violated; unknown when none could be judged.
enum class Verdict { kGood, kBad, kUnknown };
std::string_view VerdictName(Verdict verdict);  // "good", "bad", "unknown"

struct Judgement {
  Verdict verdict = Verdict::kUnknown;
  std::vector<ThresholdResult> thresholds;  // applicable thresholds, in ThresholdKind order
};

// Judges `windows` (one per configured window; every threshold's window is among them, as config
// validation ensures) against `sla_class` for a path measured by `method`. A threshold whose
// window is missing from `windows` is judged as without data.
Judgement JudgeWindows(const config::SlaClass& sla_class, Method method,
                       std::span<const windows::WindowStats> windows);

}  // namespace linkmon::sla
