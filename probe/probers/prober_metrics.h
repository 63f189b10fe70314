#pragma once

// The probers' part of the probe's /metrics, read from their counters at scrape time, one series
// per target and method (labels dst, method, dscp: bounded by the config):
//   linkmon_probe_probes_sent_total, linkmon_probe_send_errors_total,
//   linkmon_probe_foreign_replies_total, linkmon_probe_malformed_replies_total,
//   linkmon_probe_kernel_transmit_timestamps_total,
// and per shared ICMP socket linkmon_probe_icmp_socket_info{version, kind, timestamps} 1 and
// linkmon_probe_icmp_foreign_replies_total{version, dscp}.
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

class ProberCollector : public prometheus::Collectable {
 public:
  // `resources` must outlive the collector.
  explicit ProberCollector(const ProberResources& resources) : resources_(resources) {}

  // Registers a prober (which must outlive the collector, or be removed first).
  void Add(std::string target, Method method, int dscp, const Prober& prober);

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  struct Entry {
    std::string target;
    Method method;
    int dscp;
    const Prober* prober;
  };
  const ProberResources& resources_;
  std::vector<Entry> entries_;
};

// What became of the probes of each path, from the interval summaries the scheduler closes (so a
// probe shows here once its interval is final, up to one interval plus the late horizon after it
// left), one series per target and method:
//   linkmon_probe_replies_received_total, linkmon_probe_replies_late_total,
//   linkmon_probe_probes_lost_total (no reply before the late horizon: the timeouts),
//   linkmon_probe_probes_untracked_total, linkmon_probe_replies_duplicated_total,
//   linkmon_probe_replies_reordered_total, and
//   linkmon_probe_timestamp_source_info{dst, method, source} 1 for the clock that stamped the
//   last interval's replies (kernel or userspace).
// Thread-safety: Record and Collect on the probers' thread.
class PathOutcomeCollector : public prometheus::Collectable {
 public:
  void Record(const PathKey& path, const stats::IntervalSummary& summary);
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  struct Outcome {
    stats::ProbeCounts counts;
    stats::TimestampSource source = stats::TimestampSource::kNone;
  };
  std::map<PathKey, Outcome> paths_;
};

}  // namespace linkmon::probers
