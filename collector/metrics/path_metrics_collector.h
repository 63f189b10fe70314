#pragma once

// PathMetricsCollector: the per-path metrics of the collector's /metrics, built from PathStates
// at scrape time (a prometheus::Collectable), not by updating thousands of gauges on every
// upload. Labels are src, dst, method and sla_class only: their values come from the config, so
// cardinality is bounded by the paths it declares.
//
// Families (figures on the shortest window, 1 min by default; a path without a figure has no
// sample rather than a made-up 0):
//   linkmon_path_rtt_p50_seconds, _rtt_p95_seconds, _rtt_p99_seconds   gauges
//   linkmon_path_loss_ratio                                    gauge
//   linkmon_path_jitter_seconds                                gauge (RFC 3550)
//   linkmon_path_throughput_bytes_per_second                   gauge (bandwidth tests)
//   linkmon_path_data_age_seconds                              gauge
//   linkmon_path_sla_state                                     gauge: 0 ok, 1 bad, 2 breach,
//                                                                     3 stale, 4 unknown
//   linkmon_path_breach_open                                   gauge: 1 while a breach is open
//   linkmon_path_sla_good_seconds_total, _sla_bad_seconds_total, _sla_unknown_seconds_total
//                                                              counters: judged minutes x 60
//   linkmon_path_error_budget_remaining_ratio                  gauge (may go below 0)
//   linkmon_path_slo_objective_ratio                           gauge: the class's slo.objective
//                                                              (0.999 by default), what the
//                                                              Prometheus rules burn against
//
// Thread-safety: Collect reads PathStates, so it runs where PathStates does (the collector's
// io_context thread, which serves /metrics).

#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "collector/sla/path_states.h"

namespace linkmon::metrics {

class PathMetricsCollector : public prometheus::Collectable {
 public:
  explicit PathMetricsCollector(const sla::PathStates& states);

  // prometheus::Collectable
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const sla::PathStates& states_;
};

}  // namespace linkmon::metrics
