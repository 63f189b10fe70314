#pragma once

// The probers' part of the probe's /metrics, read from their counters at scrape time:
//   linkmon_probe_probes_sent_total, linkmon_probe_send_errors_total,
//   linkmon_probe_foreign_replies_total, linkmon_probe_malformed_replies_total,
//   linkmon_probe_kernel_transmit_timestamps_total,
// one series per method and DSCP summed over the targets (labels method, dscp), or with
// `per_target` one per target and method (labels dst, method, dscp: bounded by the config); and
// per shared ICMP socket linkmon_probe_icmp_socket_info{version, kind, timestamps} 1 and
// linkmon_probe_icmp_foreign_replies_total{version, dscp}.
//
// Why summed by default: DESIGN.md gives the probe "a smaller" /metrics; per-path figures are the
// collector's (linkmon_path_*). At 10,000 targets, series per target are ~120,000 series that a
// scrape builds as prometheus-cpp objects at once (~50 MB of the probe's peak memory, for a
// daemon that otherwise needs a few). Operators debugging a probe with few targets turn them on
// (config probe.metrics_per_target).
// Loss, late replies and timestamp sources per path travel in the interval summaries.
// Thread-safety: Collect() must run on the probers' thread.

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <map>
#include <string>
#include <vector>

#include "common/ids.h"
#include "common/stats/interval_summary.h"
#include "probe/probers/prober.h"
#include "probe/probers/prober_registry.h"

namespace linkmon::probers {

struct ProberMetricsOptions {
  // A series per target (label dst) rather than per method; config probe.metrics_per_target.
  bool per_target = false;
};

class ProberCollector : public prometheus::Collectable {
 public:
  // `resources` must outlive the collector.
  explicit ProberCollector(const ProberResources& resources, ProberMetricsOptions options = {})
      : resources_(resources), options_(options) {}

  // Room for `probers` registrations, made before the first: a probe registers one per path.
  void Reserve(std::size_t probers);
  // Registers a prober (which must outlive the collector, or be removed first).
  void Add(std::string target, Method method, int dscp, const Prober& prober);

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  // 16 bytes: one per path, 10,000 on a large probe; the targets' names are kept apart, and only
  // when they label series (per_target).
  struct Entry {
    const Prober* prober;
    Method method;
    int dscp;
  };
  const ProberResources& resources_;
  ProberMetricsOptions options_;
  std::vector<Entry> entries_;
  std::vector<std::string> targets_;  // entries_[i]'s target, per_target only
};

// What became of the probes, from the interval summaries the scheduler closes (so a probe shows
// here once its interval is final, up to one interval plus the late horizon after it left), one
// series per method summed over its targets, or with `per_target` one per target and method:
//   linkmon_probe_replies_received_total, linkmon_probe_replies_late_total,
//   linkmon_probe_probes_lost_total (no reply before the late horizon: the timeouts),
//   linkmon_probe_probes_untracked_total, linkmon_probe_replies_duplicated_total,
//   linkmon_probe_replies_reordered_total, and
//   linkmon_probe_timestamp_source_info{[dst,] method, source} 1 for the clock that stamped the
//   replies of the last interval (of the target, or of any target of the method) that had any.
// Summed, it keeps a few counters whatever the number of paths; per target, an entry per path.
// Thread-safety: Record and Collect on the probers' thread.
class PathOutcomeCollector : public prometheus::Collectable {
 public:
  explicit PathOutcomeCollector(ProberMetricsOptions options = {}) : options_(options) {}

  void Record(const PathKey& path, const stats::IntervalSummary& summary);
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  struct Outcome {
    stats::ProbeCounts counts;
    stats::TimestampSource source = stats::TimestampSource::kNone;
  };
  ProberMetricsOptions options_;
  std::map<PathKey, Outcome> paths_;   // per_target
  std::map<Method, Outcome> methods_;  // otherwise
};

}  // namespace linkmon::probers
