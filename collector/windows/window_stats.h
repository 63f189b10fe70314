#pragma once

// WindowStats: the figures of one sliding window of one path (RTT quantiles, loss, jitter,
// throughput), derived from the merge of its minutes. These are what SLA thresholds are judged on
// and what the API and /metrics show.
//
// Definitions (docs/api.md repeats them for API users):
// - RTT quantiles: nearest-rank quantiles of every received reply's RTT in the window, within
//   1/128 (LogHistogram). nullopt when no reply was received.
// - loss ratio: (lost + late) / (received + late + lost). A reply after the probe's timeout is
//   as useless to an application as none, so it counts as lost here; probes whose fate is unknown
//   (untracked) are left out. nullopt when no probe's fate is known.
// - jitter: the highest RFC 3550 interarrival jitter reported by an interval in the window.
// - throughput: the lowest throughput a bandwidth test achieved in the window.

#include <chrono>
#include <optional>
#include <string>

#include "collector/windows/minute_stats.h"
#include "common/units.h"

namespace linkmon::windows {

struct WindowStats {
  std::chrono::nanoseconds window{0};
  int minutes_with_data = 0;  // minutes of the window that hold any measurement
  stats::ProbeCounts counts;
  std::optional<std::chrono::nanoseconds> rtt_p50;
  std::optional<std::chrono::nanoseconds> rtt_p95;
  std::optional<std::chrono::nanoseconds> rtt_p99;
  std::optional<Ratio> loss;
  std::optional<std::chrono::nanoseconds> jitter;
  std::optional<Bandwidth> throughput;

  bool HasData() const { return minutes_with_data > 0; }
  bool operator==(const WindowStats&) const = default;
};

// "1m", "5m", "1h", "90m": a window's name in JSON and docs (whole hours as hours).
std::string WindowName(std::chrono::nanoseconds window);

// The figures of `merged`, the merge of the window's minutes.
WindowStats SummarizeWindow(std::chrono::nanoseconds window, int minutes_with_data,
                            const MinuteStats& merged);

}  // namespace linkmon::windows
