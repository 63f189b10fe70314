#include "collector/windows/window_stats.h"

namespace linkmon::windows {

namespace {

std::optional<std::chrono::nanoseconds> QuantileOf(const histogram::LogHistogram& rtt, double q) {
  auto estimate = rtt.Quantile(q);
  if (!estimate) return std::nullopt;  // empty: no reply in the window
  return estimate->value;
}

}  // namespace

std::string WindowName(std::chrono::nanoseconds window) {
  using std::chrono::hours;
  using std::chrono::minutes;
  if (window >= hours(1) && window % hours(1) == std::chrono::nanoseconds(0)) {
    return std::to_string(window / hours(1)) + "h";
  }
  if (window % minutes(1) == std::chrono::nanoseconds(0)) {
    return std::to_string(window / minutes(1)) + "m";
  }
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(window).count()) + "s";
}

WindowStats SummarizeWindow(std::chrono::nanoseconds window, int minutes_with_data,
                            const MinuteStats& merged) {
  WindowStats stats;
  stats.window = window;
  stats.minutes_with_data = minutes_with_data;
  stats.counts = merged.counts;
  stats.rtt_p50 = QuantileOf(merged.rtt, 0.50);
  stats.rtt_p95 = QuantileOf(merged.rtt, 0.95);
  stats.rtt_p99 = QuantileOf(merged.rtt, 0.99);
  const std::uint64_t missing = merged.counts.lost + merged.counts.late;
  const std::uint64_t known = merged.counts.received + missing;
  if (known > 0) {
    stats.loss = Ratio{static_cast<double>(missing) / static_cast<double>(known)};
  }
  stats.jitter = merged.rfc3550_jitter;
  stats.throughput = merged.throughput;
  return stats;
}

}  // namespace linkmon::windows
